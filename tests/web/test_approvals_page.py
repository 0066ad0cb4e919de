"""The approvals page at any size (issue 12): each kind of waiting item is a
section of its own, oldest first, a page at a time with the count of all it
holds, and its own page links — so every item stays reachable; the menu
badge counts what the page lists for the supervisor to decide."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casesys.adjudication.models import Approval
from casesys.core import clock
from casesys.credit.models import CreditRecord
from casesys.desk import badges, waiting
from casesys.documents.models import Document
from casesys.domain.enums import PartyRole, Role
from casesys.public.models import Publication

ITEMS = 7  # of each kind: pages of 3, 3 and 1
SECTIONS = {  # section: (its heading, how an item shows in it)
    "steps": ("待审批事项", r'data-testid="approval-(\d+)"'),
    "documents": ("待签发文书", r'href="/documents/(\d+)"'),
    "publications": ("待审批公开", r'data-testid="publication-(\d+)"'),
    "records": ("待审核信用记录", r'href="/credit/records/(\d+)"'),
    "objections": ("待处理信用异议", r'href="/credit/records/(\d+)"'),
}


def _office_with_waiting_items(db, factory, prefix: str, chief=None):
    """ITEMS of each kind, the oldest last created; two requests and one
    document are the chief's own. Returns the chief and each kind's ids, oldest first (credit
    records: in the order they were found)."""
    office = factory.office(prefix=prefix)
    officer = factory.user(Role.OFFICER, office=office)
    chief = chief or factory.user(Role.SUPERVISOR, office=office)
    now, ids = clock.utcnow(), {name: [] for name in SECTIONS}
    for n in range(ITEMS):
        case = factory.case(officer, commit=False)
        when = now - timedelta(hours=n)  # later items are older
        items = {
            "steps": Approval(case_id=case.id, action="accept", payload={}, requested_at=when,
                              requested_by_id=(chief if n < 2 else officer).id),
            "documents": Document(case_id=case.id, doc_type="ruling", status="pending", updated_at=when,
                                  created_by_id=(chief if n == 0 else officer).id),
            "publications": Publication(slug=f"{prefix}{n}", kind="typical", case_id=case.id, office_id=office.id,
                                        title=f"典型案例{n}", year=now.year, requested_at=when,
                                        requested_by_id=officer.id),
        }
        respondent = case.parties_in(PartyRole.RESPONDENT)[0]
        for name, state in (("records", "candidate"), ("objections", "objected")):
            items[name] = CreditRecord(slug=f"{prefix}{name}{n}", source_key=f"{prefix}{name}{n}", case_id=case.id,
                                       party_id=respondent.id, subject_kind=respondent.kind, state=state,
                                       subject_name=respondent.name, reason="repeat_infringement")
        db.session.add_all(items.values())
        db.session.flush()
        for name, item in items.items():
            ids[name].append(item.id)
    db.session.commit()
    for name in ("steps", "documents", "publications"):
        ids[name].reverse()  # oldest first; credit records in the order they were found
    return chief, ids


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(waiting, "PAGE_SIZE", 3)


def _section(page: str, name: str) -> str:
    return re.search(rf'<section id="{name}".*?</section>', page, re.S).group(0)


def _next_link(section: str, heading: str) -> str | None:
    nav = re.search(rf'<nav aria-label="{heading}分页">.*?</nav>', section, re.S)
    if nav is None:
        return None
    link = re.search(r'<li class="page-item ?(disabled)?"><a class="page-link" href="([^"]+)">下一页', nav.group(0))
    return None if link.group(1) else link.group(2).replace("&amp;", "&")


def test_every_waiting_item_is_reachable_through_its_sections_pages(db, factory, client, login_as, small_pages):
    chief, expected = _office_with_waiting_items(db, factory, "鄂知保")
    _office_with_waiting_items(db, factory, "湘知保")  # another office's: neither listed nor counted
    login_as(chief)
    for name, (heading, item) in SECTIONS.items():
        seen, url, pages = [], "/approvals", 0
        while url:
            page = client.get(url).get_data(as_text=True)
            section = _section(page, name)
            assert f"共 {ITEMS} " in section
            seen += [int(i) for i in re.findall(item, section)]
            url, pages = _next_link(section, heading), pages + 1
            assert url is None or url.endswith(f"#{name}")
        assert seen == expected[name], name  # all of them, oldest first, each once
        assert pages == 3


def test_paging_one_section_keeps_the_others_where_they_are(db, factory, client, login_as, small_pages):
    chief, expected = _office_with_waiting_items(db, factory, "鄂知保")
    login_as(chief)
    page = client.get("/approvals?documents=2&records=3").get_data(as_text=True)
    assert re.findall(r'href="/documents/(\d+)"', _section(page, "documents")) == [str(i) for i in expected["documents"][3:6]]
    assert "第 3/3 页" in _section(page, "records")
    following = _next_link(_section(page, "steps"), "待审批事项")
    assert "steps=2" in following and "documents=2" in following and "records=3" in following


def test_a_page_past_the_last_shows_the_last(db, factory, client, login_as, small_pages):
    chief, expected = _office_with_waiting_items(db, factory, "鄂知保")
    login_as(chief)
    page = client.get("/approvals?steps=99&records=0").get_data(as_text=True)
    steps = _section(page, "steps")
    assert "第 3/3 页" in steps and re.findall(r'data-testid="approval-(\d+)"', steps) == [str(expected["steps"][-1])]
    assert "第 1/3 页" in _section(page, "records")


def test_the_badge_counts_what_the_page_lists_for_the_supervisor_to_decide(db, factory, client, login_as):
    chief, _ = _office_with_waiting_items(db, factory, "鄂知保")
    _office_with_waiting_items(db, factory, "湘知保")
    login_as(chief)
    page = client.get("/approvals").get_data(as_text=True)
    assert "共 7 项，其中本人提出 2 项" in _section(page, "steps")
    assert "共 7 份，其中本人起草 1 份" in _section(page, "documents")
    to_decide = (ITEMS - 2) + (ITEMS - 1) + ITEMS + ITEMS + ITEMS
    assert badges.waiting_approvals(chief) == to_decide
    assert f'data-testid="waiting-approvals">{to_decide}<' in re.sub(r'\s+title="[^"]*"', "", page)


def test_a_decision_returns_to_the_page_of_requests_it_came_from(db, factory, client, login_as, small_pages):
    chief, expected = _office_with_waiting_items(db, factory, "鄂知保")
    login_as(chief)
    page = client.get("/approvals?steps=2").get_data(as_text=True)
    approval = expected["steps"][4]
    send_back = re.search(rf'data-testid="approval-{approval}".*?formaction="([^"]+)"', page, re.S).group(1)
    response = client.post(send_back.replace("&amp;", "&"), data={"comment": "材料不全"})
    assert response.status_code == 302 and response.location.endswith("/approvals?steps=2")
    db.session.expire_all()
    assert db.session.get(Approval, approval).status == "returned"


def test_a_credit_record_line_names_its_case_reason_subject_and_state(db, factory, client, login_as):
    chief, expected = _office_with_waiting_items(db, factory, "鄂知保")
    login_as(chief)
    page = client.get("/approvals").get_data(as_text=True)
    for name, state in (("records", "待审核"), ("objections", "异议处理中")):
        record = db.session.get(CreditRecord, expected[name][0])
        line = re.search(rf'<li[^>]*>(?:(?!</li>).)*href="/credit/records/{record.id}"', _section(page, name), re.S)
        text = re.sub(r"<[^>]+>", "", line.group(0))
        assert record.case.number in text and "信用记录 · 重复侵权" in text, text
        assert f"{record.subject_name}（{state}" in text, text
