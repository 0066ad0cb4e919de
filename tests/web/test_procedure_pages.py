"""Procedure pages: steps, approvals, to-do, calculator, calendar and rules
administration (SPEC §3, §4, §9, §10)."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from casesys.adjudication.models import Approval, CaseDeadline
from casesys.core import clock
from casesys.domain.enums import CaseState, Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS
from casesys.jobs.worker import run_due_jobs


@pytest.fixture
def team(factory):
    office = factory.office()
    return (factory.user(Role.OFFICER, office=office, full_name="陈办案"),
            factory.user(Role.SUPERVISOR, office=office, full_name="王负责"))


def _screening(procedure="ordinary", **overrides):
    data = {f"c_{key}": "y" for key in ACCEPTANCE_CONDITIONS}
    return data | {"procedure": procedure, "decision": "accept"} | overrides


def test_screening_request_then_supervisor_approval(app, client, db, factory, login_as, team):
    officer, chief = team
    case = factory.case(officer, received_on=clock.today() - timedelta(days=3))
    login_as(officer)
    response = client.post(f"/cases/{case.id}/steps/accept", data=_screening())
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "待负责人审批" in page
    client.post("/logout")
    login_as(chief)
    queue = client.get("/approvals").get_data(as_text=True)
    assert case.number in queue and "受理" in queue
    approval = db.session.scalar(sa.select(Approval))
    assert client.post(f"/approvals/{approval.id}/approve", data={"comment": "同意"}).status_code == 302
    db.session.expire_all()
    assert case.state == CaseState.ACCEPTED and case.accepted_on == clock.today()


def test_unmet_condition_is_explained_and_the_ticks_are_kept(client, db, factory, login_as, team):
    officer, _ = team
    case = factory.case(officer)
    login_as(officer)
    data = _screening()
    data.pop("c_jurisdiction")
    page = client.post(f"/cases/{case.id}/steps/accept", data=data).get_data(as_text=True)
    assert "受理条件未全部满足" in page and "管辖" in page
    assert re.search(r'<input checked[^>]*name="c_standing"', page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Approval)) == 0


def test_reject_button_asks_for_not_accepting(client, db, factory, login_as, team):
    officer, _ = team
    case = factory.case(officer)
    login_as(officer)
    data = _screening(decision="reject", reason="已向人民法院起诉")
    data.pop("c_no_court_action")
    assert client.post(f"/cases/{case.id}/steps/accept", data=data).status_code == 302
    assert db.session.scalar(sa.select(Approval.action)) == "reject"


def test_a_supervisor_cannot_approve_their_own_request(client, db, factory, login_as, team):
    _, chief = team
    case = factory.case(chief)
    login_as(chief)
    client.post(f"/cases/{case.id}/steps/accept", data=_screening())
    approval = db.session.scalar(sa.select(Approval))
    queue = client.get("/approvals").get_data(as_text=True)
    assert "本人提出的申请" in queue
    page = client.post(f"/approvals/{approval.id}/approve", data={}, follow_redirects=True).get_data(as_text=True)
    assert "不能审批本人提出的申请" in page
    assert db.session.get(Approval, approval.id).status == "pending"


def test_return_needs_a_comment(client, db, factory, login_as, team):
    officer, chief = team
    case = factory.case(officer)
    login_as(officer)
    client.post(f"/cases/{case.id}/steps/accept", data=_screening())
    client.post("/logout")
    login_as(chief)
    approval = db.session.scalar(sa.select(Approval))
    page = client.post(f"/approvals/{approval.id}/return", data={"comment": ""}, follow_redirects=True).get_data(as_text=True)
    assert "退回时请说明理由" in page
    client.post(f"/approvals/{approval.id}/return", data={"comment": "材料不全"})
    assert db.session.get(Approval, approval.id).status == "returned"


def test_a_step_in_the_wrong_state_is_refused_with_a_message(client, factory, login_as, team):
    officer, _ = team
    case = factory.case(officer)
    login_as(officer)
    page = client.post(f"/cases/{case.id}/steps/serve", data={"served_on": clock.today().isoformat()}).get_data(as_text=True)
    assert "不能送达请求书副本" in page


def test_bad_dates_on_a_step_form_are_answered_at_the_field(client, factory, login_as, team):
    officer, _ = team
    case = factory.case(officer)
    login_as(officer)
    page = client.post(f"/cases/{case.id}/steps/serve", data={"served_on": "2026-02-30"}).get_data(as_text=True)
    assert "不是有效的日期值" in page or "请输入有效日期" in page


def test_todo_lists_the_most_urgent_first_and_flags_the_due_day(client, db, factory, login_as, team):
    officer, _ = team
    old = factory.case(officer, received_on=clock.today() - timedelta(days=30))
    new = factory.case(officer, received_on=clock.today())
    login_as(officer)
    page = client.get("/todo").get_data(as_text=True)
    assert page.index(old.number) < page.index(new.number)
    assert "逾期" in page


def test_calculator_page_matches_the_command_line(client, runner, factory, login_as, team, unpublished_after_2026):
    officer, _ = team
    login_as(officer)
    page = client.get("/calendar/calculator?start=2026-09-30&amount=5&unit=working").get_data(as_text=True)
    assert "2026-10-13" in page and "国庆节" in page
    result = runner.invoke(args=["calendar", "due", "2026-09-30", "5", "--unit", "working"])
    assert result.output.strip() == "2026-10-13"
    assert runner.invoke(args=["calendar", "due", "2026-12-28", "5"]).output.strip() == "2027-01-05 provisional"
    assert runner.invoke(args=["calendar", "due", "2026-01-31", "1", "--unit", "months"]).output.strip() == "2026-02-28"
    bad = client.get("/calendar/calculator?start=2026-13-01&amount=-1&unit=working").get_data(as_text=True)
    assert "期间应为0至3650" in bad


def test_entering_next_years_schedule_recomputes_provisional_deadlines(app, client, db, factory, login_as, team,
                                                                       unpublished_after_2026):
    officer, _ = team
    case = factory.case(officer, received_on=date(2026, 12, 28))
    deadline = db.session.scalar(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id))
    # 2027-01-01 元旦 is off before the schedule is published too (computed)
    assert deadline.provisional and deadline.due_on == date(2027, 1, 5)
    admin = factory.user(Role.ADMIN)
    client.post("/logout")
    login_as(admin)
    response = client.post("/admin/calendar", data={
        "year": "2027", "holidays": "2027-01-01~2027-01-03 元旦\n2027-01-04 元旦", "workdays": "",
        "source": "测试"})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    assert run_due_jobs() == 1
    db.session.expire_all()
    deadline = db.session.scalar(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id))
    # 12-29, 12-30, 12-31, (1-01..1-04 off), 1-05, 1-06
    assert not deadline.provisional and deadline.due_on == date(2027, 1, 6)


# Issue 9.1 and 9.2: the command line and the page take the days not counted;
# an unpublished year still has its statutory holidays.
@pytest.mark.parametrize("args, output", [
    (["2025-07-01", "3", "--unit", "months", "--stopped-days", "10"], "2025-10-11"),
    (["2025-10-31", "3", "--unit", "months", "--stopped-days", "10"], "2026-02-10"),
    (["2025-07-01", "3", "--unit", "months"], "2025-10-09"),  # 10-01 in 国庆 → 10-09
    (["2026-12-25", "5", "--unit", "working"], "2027-01-04 provisional"),
    (["2027-02-04", "1", "--unit", "working"], "2027-02-09 provisional"),  # 除夕 to 初三 off
    (["2026-09-04", "30", "--unit", "calendar", "--stopped-days", "0"], "2026-10-08"),
])
def test_calendar_due_command_with_days_not_counted(runner, unpublished_after_2026, args, output):
    assert runner.invoke(args=["calendar", "due", *args]).output.strip() == output


def test_calculator_page_takes_days_not_counted(client, factory, login_as, team):
    login_as(team[0])
    page = client.get("/calendar/calculator?start=2025-07-01&amount=3&unit=months&stopped_days=10").get_data(
        as_text=True)
    assert "2025-10-11" in page and "不计入的 10 日" in page
    bad = client.get("/calendar/calculator?start=2025-07-01&amount=3&unit=months&stopped_days=-2").get_data(
        as_text=True)
    assert "不计入的天数应为0至3650" in bad and 'value="-2"' in bad


def test_calendar_form_reports_unreadable_lines(client, factory, login_as):
    login_as(factory.user(Role.ADMIN))
    page = client.post("/admin/calendar", data={"year": "2027", "holidays": "2027-01-01 元旦\n明天放假",
                                                "workdays": "2026-12-31 上班"}).get_data(as_text=True)
    assert "第2行无法识别" in page and "不在 2027 年内" in page


def test_changing_a_rule_recomputes_open_cases(client, db, factory, login_as, team):
    officer, _ = team
    case = factory.case(officer, received_on=date(2026, 3, 2))
    login_as(factory.user(Role.ADMIN))
    basis = "《专利纠纷行政裁决和调解办法》"
    response = client.post("/admin/deadline-rules", data={"key": "acceptance", "amount": "7", "unit": "working",
                                                          "basis": basis})
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    deadline = db.session.scalar(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id))
    assert deadline.due_on == date(2026, 3, 9)  # not inside the request: the worker recomputes
    assert run_due_jobs() == 1
    db.session.expire_all()
    deadline = db.session.scalar(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id))
    assert deadline.due_on == date(2026, 3, 11)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "重算期限" in page and "已完成" in page and "1 / 1" in page
    page = client.post("/admin/deadline-rules", data={"key": "acceptance", "amount": "-3", "unit": "working",
                                                          "basis": basis}).get_data(as_text=True)
    assert "期间应为0至365" in page


def test_the_rule_cites_the_law_and_an_administrator_corrects_it(client, db, factory, login_as, team):
    # Issue 9.4: the explanation users see cites the rule row's legal source, not "SPEC".
    officer, _ = team
    case = factory.case(officer, received_on=date(2026, 3, 2))
    login_as(officer)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "依据：《专利纠纷行政裁决和调解办法》" in page and "SPEC" not in page
    client.post("/logout")
    login_as(factory.user(Role.ADMIN))
    corrected = "《专利纠纷行政裁决和调解办法》第十二条"
    assert client.post("/admin/deadline-rules", data={"key": "acceptance", "amount": "5", "unit": "working",
                                                      "basis": corrected}).status_code == 302
    assert run_due_jobs() == 1  # the open cases are recomputed by the worker (a job)
    db.session.expire_all()
    deadline = db.session.scalar(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id))
    assert f"依据：{corrected}" in deadline.explanation
    page = client.post("/admin/deadline-rules", data={"key": "acceptance", "amount": "5", "unit": "working",
                                                      "basis": ""}).get_data(as_text=True)
    assert "请填写法律依据" in page


def test_workload_and_bulk_reassignment(client, db, factory, login_as, team):
    officer, chief = team
    other = factory.user(Role.OFFICER, office=officer.office, full_name="李承办")
    cases = [factory.case(officer) for _ in range(3)]
    login_as(chief)
    page = client.get("/workload").get_data(as_text=True)
    assert "陈办案" in page
    client.post(f"/workload?handler={officer.id}", data={"handler_id": str(other.id),
                                                          "case_ids": [str(c.id) for c in cases[:2]]})
    db.session.expire_all()
    assert [c.handler_id for c in cases] == [other.id, other.id, officer.id]


def _accepted_with_two_respondents(db, factory, officer, chief):
    from casesys.adjudication.services import approve, request_action
    from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, Action

    case = factory.case(officer, received_on=clock.today() - timedelta(days=3),
                        respondents=("长沙湘江机械制造有限公司", "南昌赣江贸易有限公司"))
    approve(request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer), actor=chief)
    db.session.commit()
    return case


def test_service_and_answer_pages_per_respondent_with_the_answer_document(client, db, factory, login_as, team):
    # Issue 16.10: each respondent's service and answer on its own, the answer document uploaded.
    officer, chief = team
    case = _accepted_with_two_respondents(db, factory, officer, chief)
    first, second = [p for p in case.parties if p.role.value == "respondent"]
    login_as(officer)
    page = client.get(f"/cases/{case.id}/steps/serve").get_data(as_text=True)
    assert first.name in page and second.name in page and "未送达" in page
    today = clock.today().isoformat()
    assert client.post(f"/cases/{case.id}/steps/serve", data={"party_id": first.id, "served_on": today}).status_code == 302
    page = client.post(f"/cases/{case.id}/steps/serve", data={"party_id": first.id, "served_on": today}).get_data(
        as_text=True)
    assert "已记录被请求人长沙湘江机械制造有限公司收到请求书副本" in page and "invalid-feedback" in page
    page = client.post(f"/cases/{case.id}/steps/record_answer", data={
        "party_id": first.id, "answer_received_on": today,
        "answer_file": (io.BytesIO(b"not a pdf at all"), "answer.pdf")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "invalid-feedback" in page and f'value="{today}"' in page  # refused at the field, input kept
    db.session.expire_all()
    assert db.session.get(type(first), first.id).answer_received_on is None
    response = client.post(f"/cases/{case.id}/steps/record_answer", data={
        "party_id": first.id, "answer_received_on": today,
        "answer_file": (io.BytesIO(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"), "answer.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    party = db.session.get(type(first), first.id)
    assert party.answer_received_on == clock.today()
    filed = [e for e in party.case.evidence if e.party_id == first.id]
    assert len(filed) == 1 and filed[0].description.startswith("答辩书（长沙湘江机械制造有限公司")


def test_a_hearing_inside_the_answer_period_is_refused_at_the_field(client, db, factory, login_as, team):
    # Issue 9.5: refused with a Chinese message naming the date, the input kept, nothing saved.
    from casesys.adjudication.services import request_action
    from casesys.domain.workflow import Action

    officer, chief = team
    case = _accepted_with_two_respondents(db, factory, officer, chief)
    for party in [p for p in case.parties if p.role.value == "respondent"]:
        request_action(case, Action.SERVE, {"party_id": party.id, "served_on": clock.today().isoformat()}, actor=officer)
    members = [officer.id] + [factory.user(Role.OFFICER, office=officer.office).id for _ in range(2)]
    request_action(case, Action.SET_PANEL, {"members": members, "presiding": officer.id}, actor=officer)
    db.session.commit()
    login_as(officer)
    when = (clock.today() + timedelta(days=3)).isoformat() + "T09:30"
    page = client.post(f"/cases/{case.id}/steps/schedule_hearing", data={
        "scheduled_at": when, "place": "第一审理庭"}).get_data(as_text=True)
    assert "答辩期至" in page and "届满" in page and f'value="{when}"' in page
    db.session.expire_all()
    assert db.session.get(type(case), case.id).hearings == []


def test_no_template_or_script_names_the_specification():
    """Users see the legal source of a rule, never the project's SPEC: not in
    a page, a document template or a script, not even in a template comment
    (one edit away from being shown)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "casesys"
    files = [*(root / "templates").rglob("*.html"), *(root / "static" / "js").glob("*.js")]
    assert [str(p.relative_to(root)) for p in files if "SPEC" in p.read_text()] == []
