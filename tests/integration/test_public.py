"""Publication (SPEC §7): a signed ruling goes public after a supervisor's
approval, anonymised, at a random address; withdrawn it answers 410."""
import pytest

from casesys.documents.services import approve_document, correct, create_draft, submit
from casesys.public.models import Publication
from casesys.public.services import (
    PublicationRefused,
    approve_publication,
    request_ruling_publication,
    request_typical_case,
    withdraw_publication,
)
from tests.conftest import TEST_PASSWORD, shared_rows
from tests.factories import Factory
from tests.fixtures.documents import make_decided_case, make_team
from tests.integration.test_documents import text_of


def _signed_ruling(db, case, team):
    document = create_draft(case, "ruling", actor=team["officer"])
    document.texts = {**document.texts, "facts": "张三丰（电话13912345678）在其网店销售被诉侵权产品。",
                      # a ruling is submitted only with every required section written (SPEC §8)
                      "answer": "被请求人未在答辩期内提交答辩书。", "reasons": "被诉侵权产品落入涉案专利权的保护范围。"}
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief"])
    db.session.commit()
    return document


def _private_values(case) -> list[str]:
    values = []
    for party in case.parties:
        if party.kind.value == "person":
            values += [party.name, party.id_number, party.phone]
        values += [party.legal_representative] + [a.name for a in party.agents] + [a.phone for a in party.agents]
    return [v for v in values if v]


def test_a_ruling_is_public_only_after_approval_and_never_shows_private_data(db, client, decided_case, team):
    document = _signed_ruling(db, decided_case, team)
    publication = request_ruling_publication(document, actor=team["officer"])
    db.session.commit()
    assert client.get(f"/public/rulings/{publication.slug}").status_code == 404  # pending: not reachable
    assert str(publication.id) != publication.slug and len(publication.slug) >= 16
    approve_publication(publication, actor=team["chief"])
    db.session.commit()

    page = client.get(f"/public/rulings/{publication.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    pdf = client.get(f"/public/rulings/{publication.slug}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf_text = text_of(pdf.data)
    for text in (html, pdf_text):
        assert "张某某" in text and "长沙湘江机械制造有限公司" in text
        for value in _private_values(decided_case):
            assert value not in text, value
    assert "13912345678" not in html and "13912345678" not in pdf_text

    listing = client.get("/public/?q=长沙湘江").get_data(as_text=True)
    assert publication.slug in listing
    assert publication.slug not in client.get("/public/?q=不存在的企业名称").get_data(as_text=True)


def test_withdrawn_answers_410_and_leaves_the_search(db, client, decided_case, team):
    publication = request_ruling_publication(_signed_ruling(db, decided_case, team), actor=team["chief"])
    approve_publication(publication, actor=team["chief"])
    db.session.commit()
    with pytest.raises(PublicationRefused, match="理由"):
        withdraw_publication(publication, actor=team["chief"], reason=" ")
    withdraw_publication(publication, actor=team["chief"], reason="当事人已履行，依申请撤回")
    db.session.commit()
    assert client.get(f"/public/rulings/{publication.slug}").status_code == 410
    assert client.get(f"/public/rulings/{publication.slug}.pdf").status_code == 410
    assert publication.slug not in client.get("/public/").get_data(as_text=True)


def test_unsigned_corrected_or_twice_published_rulings_are_refused(db, decided_case, team):
    draft = create_draft(decided_case, "ruling", actor=team["officer"])
    with pytest.raises(PublicationRefused, match="尚未签发"):
        request_ruling_publication(draft, actor=team["chief"])
    db.session.rollback()
    signed = _signed_ruling(db, decided_case, team)
    correct(signed, actor=team["officer"])
    db.session.commit()
    with pytest.raises(PublicationRefused, match="补正"):
        request_ruling_publication(signed, actor=team["chief"])
    db.session.rollback()
    notice = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    with pytest.raises(PublicationRefused, match="只有行政裁决书"):
        request_ruling_publication(notice, actor=team["chief"])


def test_a_ruling_is_published_once(db, decided_case, team):
    document = _signed_ruling(db, decided_case, team)
    request_ruling_publication(document, actor=team["officer"])
    db.session.commit()
    with pytest.raises(PublicationRefused, match="已公开或正在审批"):
        request_ruling_publication(document, actor=team["officer"])


def test_typical_case_summary_is_anonymised_and_searchable_by_year_office_and_type(db, client, decided_case, team):
    with pytest.raises(PublicationRefused, match="标题和案情摘要"):
        request_typical_case(decided_case, title="", summary="", actor=team["chief"])
    item = request_typical_case(decided_case, title="网店销售侵权产品案",
                                summary="被请求人张三丰通过网店销售侵权产品，经营地址湖南省长沙市岳麓区麓山南路2号。",
                                actor=team["chief"])
    approve_publication(item, actor=team["chief"])
    db.session.commit()
    html = client.get(f"/public/typical/{item.slug}").get_data(as_text=True)
    assert "张某某" in html and "张三丰" not in html and "麓山南路2号" not in html
    office = decided_case.office.code
    year = item.year
    assert item.slug in client.get(f"/public/?kind=typical&year={year}&office={office}&patent_type=invention").get_data(as_text=True)
    assert item.slug not in client.get(f"/public/?kind=typical&year={year - 1}").get_data(as_text=True)
    assert item.slug not in client.get("/public/?kind=typical&patent_type=design").get_data(as_text=True)


def test_an_open_case_is_no_typical_case(factory, team):
    case = factory.case(team["officer"])
    with pytest.raises(PublicationRefused, match="已作出裁决或已结案"):
        request_typical_case(case, title="标题", summary="摘要", actor=team["chief"])


@shared_rows
def published_ruling(db) -> str:
    """A decided case's ruling, signed and public: its address."""

    factory = Factory(db, password=TEST_PASSWORD)
    team = make_team(factory)
    case = make_decided_case(db, factory, team)
    publication = request_ruling_publication(_signed_ruling(db, case, team), actor=team["chief"])
    approve_publication(publication, actor=team["chief"])
    db.session.commit()
    return publication.slug


@pytest.mark.parametrize("query", [
    "q=%25", "q=_", "q=%27%20OR%201%3D1--", "q=%00abc", "q=" + "长" * 500, "year=99999999999999999999",
    "year=-1", "office=%27", "patent_type=%3Cscript%3E", "page=0", "page=99999999999", "kind=secret",
    "q=%5C", "q=<script>alert(1)</script>",
])
def test_hostile_search_input_is_answered_not_crashed(client, published_ruling, query):
    slug = published_ruling
    response = client.get(f"/public/?{query}")
    html = response.get_data(as_text=True)
    if "%00" in query:  # a NUL is refused at the door, in Chinese (casesys.core.inputs)
        assert response.status_code == 400 and "无效字符" in html
        return
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    if query in ("q=%25", "q=_", "q=%5C"):  # wildcards are literal characters, not "match all"
        assert slug not in html


def test_publication_is_audited(db, decided_case, team):
    from casesys.core.models import AuditLog

    publication = request_ruling_publication(_signed_ruling(db, decided_case, team), actor=team["officer"])
    approve_publication(publication, actor=team["chief"])
    db.session.commit()
    rows = db.session.query(AuditLog).filter_by(table_name="publications", row_id=publication.id).all()
    assert {r.action for r in rows} == {"insert", "update"}
    assert any(r.changes.get("state") == ["pending", "published"] for r in rows)
    assert db.session.get(Publication, publication.id).approved_by_id == team["chief"].id
