"""Issue 9.5 and 16.10–16.11 (SPEC §3): service of the request copy and the
answer per respondent; the answer period protects the respondent (no hearing
date, deliberation or decision before it ends or the answer is in); a hearing
scheduled before its notice is served, the notice period checked at service."""
from datetime import date

import pytest

from casesys.adjudication.services import approve, record_hearing_notice_served, request_action
from casesys.domain.enums import CaseState, Procedure, Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, SIMPLIFIED_CONDITIONS, Action, ActionRefused

ALL_MET = dict.fromkeys({**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}, True)
D = date.fromisoformat


@pytest.fixture
def people(factory):
    office = factory.office()
    return {"officer": factory.user(Role.OFFICER, office=office), "officer2": factory.user(Role.OFFICER, office=office),
            "officer3": factory.user(Role.OFFICER, office=office), "chief": factory.user(Role.SUPERVISOR, office=office)}


def _case(db, factory, people, procedure=Procedure.ORDINARY):
    case = factory.case(people["officer"], received_on=D("2026-03-02"),
                        respondents=("长沙湘江机械制造有限公司", "南昌赣江贸易有限公司"))
    approval = request_action(case, Action.ACCEPT, {"procedure": procedure.value, "conditions": ALL_MET},
                              actor=people["officer"], today=D("2026-03-03"))
    approve(approval, actor=people["chief"], today=D("2026-03-03"))
    members = [people[k].id for k in ("officer", "officer2", "officer3")]
    if procedure == Procedure.ORDINARY:
        request_action(case, Action.SET_PANEL, {"members": members, "presiding": members[0]}, actor=people["officer"])
    else:
        request_action(case, Action.SET_PANEL, {"members": members[:1], "presiding": members[0]},
                       actor=people["officer"])
    db.session.commit()
    return case


def _act(case, action, payload, people, today):
    return request_action(case, action, payload, actor=people["officer"], today=D(today))


def test_service_and_answer_are_recorded_per_respondent_with_their_own_periods(db, factory, people):
    case = _case(db, factory, people)
    first, second = [p for p in case.parties if p.role.value == "respondent"]
    with pytest.raises(ActionRefused, match="请选择被请求人") as refused:
        _act(case, Action.SERVE, {"served_on": "2026-03-04"}, people, "2026-03-04")
    assert refused.value.field == "party_id"
    _act(case, Action.SERVE, {"served_on": "2026-03-04", "party_id": first.id}, people, "2026-03-04")
    assert case.state == CaseState.ANSWER_PERIOD and case.served_on is None  # not everyone served yet
    service = next(d for d in case.deadlines if d.kind == "service")
    assert service.met_on is None
    # the second respondent is the only one left: it need not be chosen
    _act(case, Action.SERVE, {"served_on": "2026-03-09"}, people, "2026-03-09")
    assert (first.request_served_on, second.request_served_on) == (D("2026-03-04"), D("2026-03-09"))
    assert case.served_on == D("2026-03-09") and service.met_on == D("2026-03-09")
    answers = {d.kind: d for d in case.deadlines if d.kind.startswith("answer:")}
    assert answers[f"answer:{first.id}"].due_on == D("2026-03-19")   # 15 days from its own receipt
    assert answers[f"answer:{second.id}"].due_on == D("2026-03-24")
    assert second.name in answers[f"answer:{second.id}"].label
    _act(case, Action.RECORD_ANSWER, {"answer_received_on": "2026-03-12", "party_id": second.id}, people, "2026-03-12")
    assert second.answer_received_on == D("2026-03-12") and first.answer_received_on is None
    assert answers[f"answer:{second.id}"].met_on == D("2026-03-12")
    with pytest.raises(ActionRefused, match="已登记"):
        _act(case, Action.RECORD_ANSWER, {"answer_received_on": "2026-03-13", "party_id": second.id}, people,
             "2026-03-13")
    with pytest.raises(ActionRefused, match="已记录"):
        _act(case, Action.SERVE, {"served_on": "2026-03-13", "party_id": first.id}, people, "2026-03-13")


@pytest.mark.parametrize("hearing_day, answered, refused_until", [
    ("2026-03-19", (), "2026-03-24"),            # within both periods: the later one is named
    ("2026-03-24", (), "2026-03-24"),            # the last day of the second period
    ("2026-03-19", ("second",), "2026-03-19"),   # second answered: the first period still protects
    ("2026-03-20", ("second",), None),           # first period over (3-19), second answered
    ("2026-03-16", ("first", "second"), None),   # everyone answered
    ("2026-03-25", (), None),                    # every period has run out
])
def test_no_hearing_date_before_every_answer_period_ends(db, factory, people, hearing_day, answered, refused_until):
    case = _case(db, factory, people)
    first, second = [p for p in case.parties if p.role.value == "respondent"]
    _act(case, Action.SERVE, {"served_on": "2026-03-04", "party_id": first.id}, people, "2026-03-04")
    _act(case, Action.SERVE, {"served_on": "2026-03-09", "party_id": second.id}, people, "2026-03-09")
    for who in answered:
        party = first if who == "first" else second
        _act(case, Action.RECORD_ANSWER, {"answer_received_on": "2026-03-10", "party_id": party.id}, people,
             "2026-03-10")
    hearing = {"scheduled_at": f"{hearing_day}T09:00", "place": "第一审理庭", "notice_served_on": "2026-03-11"}
    if refused_until:
        with pytest.raises(ActionRefused, match=f"答辩期至 {refused_until} 届满") as refused:
            _act(case, Action.SCHEDULE_HEARING, hearing, people, "2026-03-11")
        assert refused.value.field == "scheduled_at"
        assert case.hearings == []
    else:
        _act(case, Action.SCHEDULE_HEARING, hearing, people, "2026-03-11")
        assert case.state == CaseState.HEARING


def test_a_hearing_needs_every_respondent_served(db, factory, people):
    case = _case(db, factory, people)
    first = next(p for p in case.parties if p.role.value == "respondent")
    _act(case, Action.SERVE, {"served_on": "2026-03-04", "party_id": first.id}, people, "2026-03-04")
    with pytest.raises(ActionRefused, match="尚未向被请求人南昌赣江贸易有限公司送达"):
        _act(case, Action.SCHEDULE_HEARING, {"scheduled_at": "2026-04-20T09:00", "place": "庭",
                                             "notice_served_on": "2026-03-11"}, people, "2026-03-11")


@pytest.mark.parametrize("today, answered, allowed", [
    ("2026-03-18", False, False),
    ("2026-03-24", False, False),   # last day of the second period
    ("2026-03-25", False, True),
    ("2026-03-13", True, True),     # both answered
])
def test_simplified_deliberation_and_decision_wait_for_the_answers(db, factory, people, today, answered, allowed):
    case = _case(db, factory, people, Procedure.SIMPLIFIED)
    first, second = [p for p in case.parties if p.role.value == "respondent"]
    _act(case, Action.SERVE, {"served_on": "2026-03-04", "party_id": first.id}, people, "2026-03-04")
    _act(case, Action.SERVE, {"served_on": "2026-03-09", "party_id": second.id}, people, "2026-03-09")
    if answered:
        for party in (first, second):
            _act(case, Action.RECORD_ANSWER, {"answer_received_on": "2026-03-12", "party_id": party.id}, people,
                 "2026-03-12")
    if not allowed:
        with pytest.raises(ActionRefused, match="2026-03-24 届满"):
            _act(case, Action.DELIBERATE, {}, people, today)
        assert case.state == CaseState.ANSWER_PERIOD
        case.state = CaseState.DELIBERATION  # a decision is refused the same way
        with pytest.raises(ActionRefused, match="不能作出裁决"):
            _act(case, Action.DECIDE, {"outcome": "dismissed", "decision_text": "驳回"}, people, today)
    else:
        _act(case, Action.DELIBERATE, {}, people, today)
        assert case.state == CaseState.DELIBERATION
        assert _act(case, Action.DECIDE, {"outcome": "dismissed", "decision_text": "驳回"}, people, today) is not None


def test_hearing_scheduled_before_its_notice_is_served_checks_the_lead_time_at_service(db, factory, people):
    case = _case(db, factory, people)
    for party in [p for p in case.parties if p.role.value == "respondent"]:
        _act(case, Action.SERVE, {"served_on": "2026-03-04", "party_id": party.id}, people, "2026-03-04")
    _act(case, Action.SCHEDULE_HEARING, {"scheduled_at": "2026-03-25T09:30", "place": "第一审理庭",
                                         "notice_served_on": None}, people, "2026-03-11")
    hearing = case.hearings[0]
    assert case.state == CaseState.HEARING and hearing.notice_served_on is None
    with pytest.raises(ActionRefused, match="送达尚未登记"):
        _act(case, Action.HOLD_HEARING, {"requester_attended": True, "respondent_attended": True}, people,
             "2026-03-25")
    # received on Mon 3-23: 3 working days → 3-26, after the hearing day: refused, nothing recorded
    with pytest.raises(ActionRefused, match="最早在 2026-03-26") as refused:
        record_hearing_notice_served(case, D("2026-03-23"), today=D("2026-03-23"))
    assert refused.value.field == "received_on" and hearing.notice_served_on is None
    record_hearing_notice_served(case, D("2026-03-19"), today=D("2026-03-19"))  # → 3-24: in time
    assert hearing.notice_served_on == D("2026-03-19")
    _act(case, Action.HOLD_HEARING, {"requester_attended": True, "respondent_attended": True}, people, "2026-03-25")
    assert case.state == CaseState.DELIBERATION
