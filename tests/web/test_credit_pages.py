"""Credit record and publication pages (SPEC §7): bad input refused at the
field with the typed input kept; officers ask, supervisors decide; guessed
public addresses answer 404, never a leak."""
from datetime import timedelta

from casesys.core import clock
from casesys.credit.models import CreditRecord
from casesys.credit.services import scan_candidates
from casesys.domain.credit import CreditState
from casesys.domain.enums import PartyRole


def _candidate(db, factory, team) -> CreditRecord:
    earlier, current = factory.case(team["officer"]), factory.case(team["officer"])
    current.parties_in(PartyRole.RESPONDENT)[0].credit_code = earlier.parties_in(PartyRole.RESPONDENT)[0].credit_code
    earlier.decision_outcome, earlier.decided_on = "infringement", clock.today() - timedelta(days=100)
    current.decision_outcome, current.decided_on = "infringement", clock.today() - timedelta(days=1)
    db.session.commit()
    [record] = scan_candidates()
    db.session.commit()
    return record


def test_confirm_without_basis_is_refused_at_the_field_and_keeps_the_input(db, factory, team, client, login_as):
    record = _candidate(db, factory, team)
    login_as(team["chief"])
    response = client.post(f"/credit/records/{record.id}/confirm", data={"confirm-basis": " ", "confirm-publish_months": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "认定须写明依据" in page and 'value="7"' in page
    response = client.post(f"/credit/records/{record.id}/confirm", data={"confirm-basis": "依据", "confirm-publish_months": "abc"})
    assert response.status_code == 400
    assert db.session.get(CreditRecord, record.id).state == CreditState.CANDIDATE
    response = client.post(f"/credit/records/{record.id}/confirm",
                           data={"confirm-basis": "《湖北省知识产权保护和促进条例》", "confirm-publish_months": "12"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CreditRecord, record.id).state == CreditState.CONFIRMED


def test_an_officer_cannot_confirm_and_a_wrong_step_is_refused(db, factory, team, client, login_as):
    record = _candidate(db, factory, team)
    login_as(team["officer"])
    assert client.post(f"/credit/records/{record.id}/confirm", data={"confirm-basis": "x", "confirm-publish_months": "3"}).status_code == 403
    page = client.post(f"/credit/records/{record.id}/object", data={"object-objection": "异议"}, follow_redirects=True)
    assert "不能登记异议" in page.get_data(as_text=True)
    assert client.post(f"/credit/records/{record.id}/nonsense").status_code == 404


def test_party_page_lists_cases_and_credit_history(db, factory, team, client, login_as):
    record = _candidate(db, factory, team)
    login_as(team["officer"])
    page = client.get(f"/credit/parties/{record.subject_code}").get_data(as_text=True)
    assert record.case.number in page and "重复侵权" in page


def test_an_officer_asks_and_the_page_never_shows_pending_items_publicly(db, factory, team, client, login_as, decided_case):
    from casesys.public.models import Publication
    from tests.integration.test_public import _signed_ruling

    document = _signed_ruling(db, decided_case, team)
    login_as(team["officer"])
    client.post(f"/publishing/rulings/{document.id}")
    publication = db.session.query(Publication).one()
    assert publication.state == "pending"
    assert client.post(f"/publishing/{publication.id}/approve").status_code == 403
    client.post("/logout")
    assert client.get(f"/public/rulings/{publication.slug}").status_code == 404
    assert client.get(f"/public/rulings/{publication.slug}.pdf").status_code == 404
    assert client.get(f"/public/typical/{publication.slug}").status_code == 404  # a ruling's slug is no typical case
    assert client.get(f"/public/rulings/{publication.id}").status_code == 404
    assert client.get("/publishing").status_code == 302 and client.get("/credit").status_code == 302


def test_a_typical_case_form_keeps_the_input_on_an_unknown_number(db, team, client, login_as):
    login_as(team["chief"])
    response = client.post("/publishing/typical", data={"case_number": "鄂知保裁字〔2020〕999号", "title": "标题一",
                                                        "summary": "摘要内容"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "未找到该案号的案件" in page and "摘要内容" in page and "标题一" in page


def test_the_approvals_page_lists_what_waits_for_a_supervisor(db, factory, team, client, login_as):
    record = _candidate(db, factory, team)
    login_as(team["chief"])
    page = client.get("/approvals").get_data(as_text=True)
    assert f"/credit/records/{record.id}" in page and "信用记录 · 重复侵权" in page
