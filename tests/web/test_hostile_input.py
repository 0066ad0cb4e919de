"""The causes of the 500s on hostile input (issue 11, finding 10), one test
each: every one is now a 400 or 404 with a Chinese message, at the field for
forms. On PostgreSQL too when TEST_DATABASE_URL is set (the NUL ones are
PostgreSQL's). tests/web/test_fuzz.py looks for more."""
from __future__ import annotations

import inspect
import io
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.core.inputs import DATE_RANGE_MESSAGE, ID_MAX, NUL_MESSAGE
from casesys.domain.enums import CaseType, Role

PAST_INTEGER, PAST_BIGINT = str(2**31), str(2**63)


@pytest.fixture
def office(factory):
    """An officer, a supervisor and an administrator of one office, and a case."""
    place = factory.office()
    people = {role: factory.user(role, office=place) for role in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)}
    case = factory.case(people[Role.OFFICER])
    return people, case


def _page(response) -> str:
    return response.get_data(as_text=True)


# --- the optimistic-locking version of the edit forms ------------------------------------

@pytest.mark.parametrize("version", [None, "", "abc", "1e30", "9" * 27, "-1", "²"])
@pytest.mark.parametrize("page", ["edit", "party", "new party"])
def test_a_missing_or_broken_version_says_the_page_expired(client, login_as, office, page, version):
    people, case = office
    login_as(people[Role.OFFICER])
    party = case.parties[0]
    url = {"edit": f"/cases/{case.id}/edit", "party": f"/cases/{case.id}/parties/{party.id}/edit",
           "new party": f"/cases/{case.id}/parties/new"}[page]
    data = {"title": "新的案由", "requests": case.requests, "handler_id": str(people[Role.OFFICER].id),
            "kind": "organisation", "name": "某某有限公司", "credit_code": party.credit_code,
            "address": "湖北省武汉市", "enterprise_type": "private", "role": "third_party"}
    if version is not None:
        data["version"] = version
    response = client.post(url, data=data)
    assert response.status_code == 400 and "页面已过期，请刷新后重试" in _page(response)


def test_a_document_with_a_broken_version_says_the_page_expired(client, db, login_as, decided_case, team):
    login_as(team["officer"])
    url = client.post(f"/cases/{decided_case.id}/documents/new/ruling").headers["Location"]
    response = client.post(url, data={"version": "NaN", "facts": "查明的事实。"})
    assert response.status_code == 400 and "页面已过期，请刷新后重试" in _page(response)


# --- ids past the INTEGER column ----------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/cases/{big}", "/cases/{big}/edit", "/cases/{case}/parties/{big}/edit", "/documents/{big}", "/referrals/{big}",
    "/jobs/{big}", "/jobs/{big}.json", "/approvals/{big}/withdraw", "/agreements/{big}/sign",
])
@pytest.mark.parametrize("big", [PAST_INTEGER, PAST_BIGINT, "9" * 30])
def test_an_id_past_the_integer_column_is_not_found(client, login_as, office, url, big):
    people, case = office
    login_as(people[Role.OFFICER])
    method = "POST" if url.endswith(("withdraw", "sign")) else "GET"
    response = client.open(url.format(big=big, case=case.id), method=method)
    assert response.status_code == 404 and "页面不存在" in _page(response)


def test_the_largest_id_is_looked_up_and_not_found(client, login_as, office):
    """2^31-1 still matches the route (a row could have it): the database is asked, on both databases."""
    people, case = office
    login_as(people[Role.OFFICER])
    assert client.get(f"/cases/{ID_MAX}").status_code == 404
    assert client.get(f"/cases/{case.id}/parties/{ID_MAX}/edit").status_code == 404


@pytest.mark.parametrize("query", [
    "/cases?office_id={big}&handler_id={big}&page={big}", "/cases?page=²&office_id=１２３", "/todo?page={big}",
    "/referrals?page={big}&partner={big}", "/referrals/new?case={big}", "/workload?handler={big}",
    "/dashboard?office_id={big}", "/dashboard?office_id=１２３", "/public/?page={big}&year=²",
])
def test_an_id_query_parameter_past_the_integer_column_is_ignored(client, login_as, office, query):
    people, _ = office
    login_as(people[Role.SUPERVISOR] if query.startswith(("/workload", "/dashboard")) else people[Role.OFFICER])
    assert client.get(query.format(big=PAST_BIGINT)).status_code == 200


def test_posted_ids_past_the_integer_column_are_refused_at_the_field(client, db, login_as, office, decided_case,
                                                                      team):
    """A select with validate_choice=False (the credit forms) and a list of row checkboxes (workload)."""
    people, case = office
    login_as(people[Role.SUPERVISOR])
    response = client.post("/workload", data={"handler_id": str(people[Role.OFFICER].id),
                                              "case_ids": [PAST_BIGINT, str(case.id)]})
    assert response.status_code == 302
    client.post("/logout")
    login_as(team["officer"])
    response = client.post(f"/cases/{decided_case.id}/credit/not-performed",
                           data={"party_id": PAST_BIGINT, "note": "仍在销售"}, follow_redirects=True)
    assert response.status_code == 200 and "请选择被请求人" in _page(response)


# --- dates and years ---------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/documents/batch?day=0001-01-01", "/documents/batch?day=9999-12-31",
                                 "/admin/calendar?year=0", "/admin/calendar?year=99999", "/admin/calendar?year=²",
                                 "/cases?date_from=0001-01-01&date_to=9999-12-31"])
def test_a_date_or_year_out_of_range_in_an_address_is_ignored(client, login_as, office, url):
    people, _ = office
    role = {"/d": Role.SUPERVISOR, "/a": Role.ADMIN, "/c": Role.OFFICER}[url[:2]]
    login_as(people[role])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("query, message", [
    ("start=9999-12-31&amount=3650&unit=working", DATE_RANGE_MESSAGE),
    ("start=0001-01-01&amount=5&unit=working", DATE_RANGE_MESSAGE),
    ("start=2100-12-01&amount=3650&unit=calendar", "超出日历范围"),
    ("start=2100-12-01&amount=3650&unit=months", "超出日历范围"),
])
def test_the_calculator_answers_out_of_range_dates_at_the_field(client, login_as, office, query, message):
    people, _ = office
    login_as(people[Role.OFFICER])
    response = client.get(f"/calendar/calculator?{query}")
    assert response.status_code == 400 and message in _page(response)


def test_every_date_field_of_every_form_is_bounded():
    """One DateField for all forms (casesys/forms/fields.py): a form importing
    WTForms' own would take 0001-01-01 and break the date arithmetic after it."""
    import importlib
    import pkgutil

    import wtforms

    import casesys.forms
    from casesys.forms.fields import DateField, DateTimeLocalField

    bounded, unbounded = [], []
    for module_info in pkgutil.iter_modules(casesys.forms.__path__):
        module = importlib.import_module(f"casesys.forms.{module_info.name}")
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, wtforms.Form):
                continue
            for attribute, value in vars(form).items():
                field_class = getattr(value, "field_class", None)
                if field_class and issubclass(field_class, (wtforms.DateField, wtforms.DateTimeLocalField)):
                    ok = issubclass(field_class, (DateField, DateTimeLocalField))
                    (bounded if ok else unbounded).append(f"{module.__name__}.{name}.{attribute}")
    assert not unbounded
    assert len(bounded) > 20  # the walk finds the forms' dates (today_date_field ones included)


def test_a_date_out_of_range_in_a_form_is_answered_at_the_field(client, login_as, office):
    people, case = office
    login_as(people[Role.OFFICER])
    response = client.post(f"/cases/{case.id}/clock-stops", data={"kind": "appraisal", "started_on": "9999-12-31",
                                                                  "reason": "技术鉴定"}, follow_redirects=True)
    assert response.status_code == 200 and DATE_RANGE_MESSAGE in _page(response)


# --- mediation: a session recorded twice, a huge amount ----------------------------------

@pytest.fixture
def mediating(db, factory):
    """A mediation all parties agreed to, with a session held yesterday."""
    from casesys.domain.mediation import Consent
    from casesys.mediation.services import record_consent, schedule_session, start_mediation

    mediator = factory.user(Role.MEDIATOR)
    case = factory.case(mediator, case_type=CaseType.MEDIATION, received_on=clock.today() - timedelta(days=20))
    mediation = start_mediation(case, actor=mediator, today=clock.today() - timedelta(days=18),
                                request_served_on=clock.today() - timedelta(days=18))
    for member in mediation.parties:
        if member.consent == Consent.PENDING:
            record_consent(mediation, member.party_id, Consent.AGREED, on=clock.today() - timedelta(days=15),
                           actor=mediator)
    session = schedule_session(mediation, scheduled_at=datetime.combine(clock.today() - timedelta(days=1), time(9)),
                               place="调解室", online_link="", actor=mediator)
    db.session.commit()
    return mediator, mediation, session


def test_recording_a_session_twice_says_so(client, login_as, mediating):
    mediator, mediation, session = mediating
    login_as(mediator)
    url = f"/mediations/{mediation.id}/sessions/{session.id}/record"
    data = {"attended": [str(m.party_id) for m in mediation.parties], "minutes": "双方陈述意见。"}
    assert client.post(url, data=data).status_code == 302
    response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200 and "该次调解会议已记录，不能重复记录" in _page(response)


@pytest.mark.parametrize("amount, message", [("1e30", "金额过大"), ("9" * 27, "金额过大"), ("1E+999999999", "金额过大"),
                                             ("0.001", "两位小数"), ("NaN", "大于零")])
def test_an_agreement_amount_is_bounded_at_the_field(client, login_as, mediating, amount, message):
    mediator, mediation, _ = mediating
    login_as(mediator)
    ids = [str(m.party_id) for m in mediation.parties]
    response = client.post(f"/mediations/{mediation.id}/agreement", data={
        "text": "经调解，各方自愿达成如下协议：", "concluded_on": clock.today().isoformat(),
        "terms-0-debtor_id": ids[1], "terms-0-creditor_id": ids[0], "terms-0-kind": "money",
        "terms-0-amount": amount, "terms-0-due_on": (clock.today() + timedelta(days=30)).isoformat()})
    assert response.status_code < 500 and message in _page(response)
    assert not mediation.agreements


# --- NUL ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method, url, data", [
    ("GET", "/verify/abc%00def", None),
    ("GET", "/verify?code=%00", None),
    ("GET", "/public/?q=%00", None),
    ("POST", "/login", {"username": "officer\x00", "password": "x"}),
    ("POST", "/verify", {"code": "\x00"}),
])
def test_a_nul_anywhere_is_refused_at_the_door(client, method, url, data):
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400 and NUL_MESSAGE in _page(response)


def test_a_nul_in_a_posted_form_or_a_file_name_is_refused(client, db, login_as, office):
    from casesys.cases.models import Evidence

    people, case = office
    login_as(people[Role.OFFICER])
    response = client.post(f"/cases/{case.id}/edit", data={"title": "案由\x00", "version": str(case.version)})
    assert response.status_code == 400 and NUL_MESSAGE in _page(response)
    response = client.post(f"/cases/{case.id}/evidence", data={
        "file": (io.BytesIO(b"%PDF-1.4\n%x\n"), "合同\x00.pdf"), "kind": "document", "description": "合同",
        "party_id": str(case.parties[0].id)}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


@pytest.mark.parametrize("body", [b"[" * 100000, b'{"id": "1", "sender": "\\u0000", "receiver": "HB", "type": "x",'
                                  b' "body": {}, "timestamp": "2026-01-01T00:00:00Z"}'])
def test_the_exchange_refuses_a_deep_or_nul_message(client, body):
    """Before any signature is checked: a nesting deeper than Python's
    recursion and a NUL in the sender's code (PostgreSQL) were 500s."""
    response = client.post("/exchange/referrals", data=body, content_type="application/json")
    assert response.status_code == 400 and "error" in response.json


# --- filters that took a blank for a choice ----------------------------------------------

def test_blank_referral_filters_are_ignored(client, login_as, office):
    people, _ = office
    login_as(people[Role.OFFICER])
    assert client.get("/referrals?kind=+&state=+&overdue=+&partner=+").status_code == 200
