"""Issue 16.9: the case page says what comes next with its deadline, and
offers only actions that can be taken now."""
from datetime import timedelta

import pytest

from casesys.adjudication.models import PanelMember
from casesys.adjudication.services import approve, request_action
from casesys.core import clock
from casesys.domain.enums import CaseState, Procedure, Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, SIMPLIFIED_CONDITIONS, Action


@pytest.fixture
def team(factory):
    office = factory.office()
    return (factory.user(Role.OFFICER, office=office, full_name="陈办案"),
            factory.user(Role.SUPERVISOR, office=office, full_name="王负责"),
            factory.user(Role.OFFICER, office=office, full_name="李合议"))


def _accepted(db, factory, team, procedure: Procedure):
    officer, chief, _ = team
    case = factory.case(officer, received_on=clock.today() - timedelta(days=2))
    conditions = dict.fromkeys({**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}, True)
    approve(request_action(case, Action.ACCEPT, {"procedure": procedure.value, "conditions": conditions},
                           actor=officer), actor=chief)
    db.session.commit()
    return case


def test_the_next_step_and_its_deadline_are_said(client, db, factory, login_as, team):
    case = _accepted(db, factory, team, Procedure.ORDINARY)
    login_as(team[0])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    service = next(d for d in case.deadlines if d.kind == "service")
    assert "下一步：组成合议组" in page or f"下一步：送达请求书副本，{service.due_on} 前" in page
    for member in team:
        case.panel.append(PanelMember(user_id=member.id, presiding=member is team[0]))
    db.session.commit()
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"下一步：送达请求书副本，{service.due_on} 前" in page


def test_simplified_cases_offer_no_panel_and_no_deliberation_by_that_name(client, db, factory, login_as, team):
    case = _accepted(db, factory, team, Procedure.SIMPLIFIED)
    request_action(case, Action.SERVE, {"served_on": clock.today().isoformat()}, actor=team[0])
    db.session.commit()
    login_as(team[0])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/steps/set_panel" not in page and "组成合议组" not in page
    assert "进入合议" not in page and "审理终结，拟作裁决" in page


def test_no_hearing_record_before_the_hearing_day_and_rescheduling_prefills(client, db, factory, login_as, team):
    case = _accepted(db, factory, team, Procedure.ORDINARY)
    for member in team:
        case.panel.append(PanelMember(user_id=member.id, presiding=member is team[0]))
    request_action(case, Action.SERVE, {"served_on": clock.today().isoformat()}, actor=team[0])
    day = clock.today() + timedelta(days=30)  # after the 15-day answer period (issue 9.5)
    request_action(case, Action.SCHEDULE_HEARING, {"scheduled_at": f"{day.isoformat()}T09:30", "place": "第二审理庭",
                                                   "notice_served_on": clock.today().isoformat()}, actor=team[0])
    db.session.commit()
    assert case.state == CaseState.HEARING
    login_as(team[0])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/steps/hold_hearing" not in page
    assert f"下一步：口头审理，{day.isoformat()} 09:30，第二审理庭" in page
    refused = client.post(f"/cases/{case.id}/steps/hold_hearing", data={"requester_attended": "y",
                                                                       "respondent_attended": "y"},
                          follow_redirects=True).get_data(as_text=True)
    assert f"口头审理定于{day.isoformat()}，届时方可记录口头审理" in refused
    form = client.get(f"/cases/{case.id}/steps/schedule_hearing").get_data(as_text=True)
    assert f'value="{day.isoformat()}T09:30"' in form and 'value="第二审理庭"' in form


def test_a_suspended_case_shows_paused_counting_on_every_page(client, db, factory, login_as, team):
    """Issue 16.12: 暂停计算 on the case page, the to-do list and the case list — no countdown."""
    case = _accepted(db, factory, team, Procedure.ORDINARY)
    request_action(case, Action.SERVE, {"served_on": clock.today().isoformat()}, actor=team[0])
    approve(request_action(case, Action.SUSPEND, {"reason": "被请求人已提出无效宣告请求", "reference": "4W123456",
                                                  "started_on": clock.today().isoformat()}, actor=team[0]),
            actor=team[1])
    db.session.commit()
    assert case.state == CaseState.SUSPENDED
    login_as(team[0])
    for url in (f"/cases/{case.id}", "/todo", "/cases"):
        page = client.get(url).get_data(as_text=True)
        assert "暂停计算" in page, url
    todo = client.get("/todo").get_data(as_text=True)
    closing = next(d for d in case.deadlines if d.kind == "closing")
    assert closing.paused and f"剩 {(closing.due_on - clock.today()).days} 日" not in todo


def test_the_menu_shows_a_to_do_badge_for_decided_approvals_and_returns(client, db, factory, login_as, team):
    """Issue 16.13: like the supervisor's approval badge."""
    import re

    officer, chief, _ = team
    case = factory.case(officer)
    conditions = dict.fromkeys(ACCEPTANCE_CONDITIONS, True)
    approval = request_action(case, Action.ACCEPT, {"procedure": "ordinary", "conditions": conditions}, actor=officer)
    db.session.commit()
    login_as(officer)
    assert 'data-testid="unread-todo"' not in client.get("/cases").get_data(as_text=True)
    approve(approval, actor=chief, comment="同意")
    db.session.commit()
    page = client.get("/cases").get_data(as_text=True)
    assert re.search(r'data-testid="unread-todo"[^>]*>1<', page)
    assert f"{case.number} 受理已获批准" in client.get("/todo").get_data(as_text=True)
    client.post("/todo/reminders/read")
    assert 'data-testid="unread-todo"' not in client.get("/cases").get_data(as_text=True)
