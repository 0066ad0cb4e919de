"""Running cases through the procedure with the services (SPEC §3, §4):
approvals, each transition, clock stops, extension, conversion."""
from datetime import date, datetime

import pytest

from casesys.adjudication.services import approve, record_clock_stop, request_action, send_back
from casesys.core import clock
from casesys.domain.enums import CaseState, EvaluationConclusion, PatentType, Procedure, Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, SIMPLIFIED_CONDITIONS, Action, ActionRefused

ALL_MET = dict.fromkeys({**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}, True)


@pytest.fixture
def people(factory):
    office = factory.office()
    return {
        "officer": factory.user(Role.OFFICER, office=office),
        "officer2": factory.user(Role.OFFICER, office=office),
        "officer3": factory.user(Role.OFFICER, office=office),
        "chief": factory.user(Role.SUPERVISOR, office=office),
    }


def _approved(case, action, payload, people, today):
    approval = request_action(case, action, payload, actor=people["officer"], today=today)
    assert approval is not None and case.state != CaseState.CLOSED
    approve(approval, actor=people["chief"], today=today)
    return approval


def _accepted(factory, db, people, procedure=Procedure.ORDINARY, received=date(2026, 3, 2), today=date(2026, 3, 4)):
    case = factory.case(people["officer"], received_on=received)
    _approved(case, Action.ACCEPT, {"procedure": procedure.value, "conditions": ALL_MET}, people, today)
    db.session.commit()
    return case


def _deadline(case, kind):
    return next(d for d in case.deadlines if d.kind == kind or d.kind.startswith(kind + ":"))


def test_acceptance_waits_for_the_supervisor_and_starts_the_clocks(db, factory, people):
    case = factory.case(people["officer"], received_on=date(2026, 9, 28))
    # 5 working days: 9-29, 9-30, (10-01..07 国庆节), 10-08, 10-09, 10-10 (调休上班的周六)
    assert _deadline(case, "acceptance").due_on == date(2026, 10, 10)
    approval = request_action(case, Action.ACCEPT, {"procedure": "ordinary", "conditions": ALL_MET},
                              actor=people["officer"], today=date(2026, 9, 29))
    assert case.state == CaseState.RECEIVED and approval.status == "pending"
    approve(approval, actor=people["chief"], today=date(2026, 9, 30))
    db.session.commit()
    assert case.state == CaseState.ACCEPTED and case.accepted_on == date(2026, 9, 30)
    assert _deadline(case, "acceptance").met_on == date(2026, 9, 30)
    assert _deadline(case, "service").due_on == date(2026, 10, 13)   # SPEC §3: 5 working days
    assert _deadline(case, "closing").due_on == date(2026, 12, 30)   # 3 months
    assert "国庆节" in _deadline(case, "service").explanation


def test_missing_acceptance_condition_is_refused_with_the_condition_named(factory, people):
    case = factory.case(people["officer"])
    conditions = dict(ALL_MET, no_court_action=False)
    with pytest.raises(ActionRefused, match="没有就该专利侵权纠纷向人民法院起诉"):
        request_action(case, Action.ACCEPT, {"procedure": "ordinary", "conditions": conditions}, actor=people["officer"])


def test_not_accepted_needs_an_unmet_condition_and_closes_the_case(db, factory, people):
    case = factory.case(people["officer"])
    with pytest.raises(ActionRefused, match="均已满足"):
        request_action(case, Action.REJECT, {"conditions": ALL_MET, "reason": "x"}, actor=people["officer"])
    _approved(case, Action.REJECT, {"conditions": dict(ALL_MET, jurisdiction=False), "reason": "不属于本机关管辖"},
              people, clock.today())
    assert case.state == CaseState.NOT_ACCEPTED and case.closing_type == "not_accepted"
    assert case.conditions["jurisdiction"] is False


def test_approving_ones_own_request_is_refused(factory, people):
    case = factory.case(people["chief"])
    approval = request_action(case, Action.ACCEPT, {"procedure": "ordinary", "conditions": ALL_MET}, actor=people["chief"])
    with pytest.raises(ActionRefused, match="不能审批本人提出的申请"):
        approve(approval, actor=people["chief"])


def test_send_back_needs_a_reason_and_leaves_the_state(db, factory, people):
    case = factory.case(people["officer"])
    approval = request_action(case, Action.ACCEPT, {"procedure": "ordinary", "conditions": ALL_MET}, actor=people["officer"])
    with pytest.raises(ActionRefused, match="说明理由"):
        send_back(approval, actor=people["chief"], comment=" ")
    send_back(approval, actor=people["chief"], comment="请补充专利权属证明")
    assert approval.status == "returned" and case.state == CaseState.RECEIVED
    assert case.events[-1].kind == "approval_returned"


def test_simplified_case_for_a_utility_model_without_evaluation_report_is_refused(db, factory, people):
    case = factory.case(people["officer"])
    patent = case.case_patents[0].patent
    patent.patent_type, patent.evaluation = PatentType.UTILITY_MODEL, EvaluationConclusion.NONE
    with pytest.raises(ActionRefused, match="专利权评价报告"):
        request_action(case, Action.ACCEPT, {"procedure": "simplified", "conditions": ALL_MET}, actor=people["officer"])
    patent.evaluation = EvaluationConclusion.FAVOURABLE
    assert request_action(case, Action.ACCEPT, {"procedure": "simplified", "conditions": ALL_MET},
                          actor=people["officer"]) is not None


def test_simplified_checklist_must_hold(factory, people):
    case = factory.case(people["officer"])
    with pytest.raises(ActionRefused, match="事实清楚"):
        request_action(case, Action.ACCEPT, {"procedure": "simplified", "conditions": dict(ALL_MET, facts_clear=False)},
                       actor=people["officer"])


def test_a_simplified_case_from_request_to_ruling(db, factory, people):
    case = _accepted(factory, db, people, Procedure.SIMPLIFIED, received=date(2026, 4, 1), today=date(2026, 4, 2))
    assert _deadline(case, "closing").due_on == date(2026, 5, 6)  # 30 days → 5-02 is off (劳动节), then 5-06
    request_action(case, Action.SET_PANEL, {"members": [people["officer"].id], "presiding": people["officer"].id},
                   actor=people["officer"], today=date(2026, 4, 2))
    request_action(case, Action.SERVE, {"served_on": "2026-04-03"}, actor=people["officer"], today=date(2026, 4, 3))
    assert case.state == CaseState.ANSWER_PERIOD
    assert _deadline(case, "answer").due_on == date(2026, 4, 20)  # 15 days → 4-18 Sat → next working day
    request_action(case, Action.RECORD_ANSWER, {"answer_received_on": "2026-04-10"}, actor=people["officer"],
                   today=date(2026, 4, 10))
    request_action(case, Action.DELIBERATE, {}, actor=people["officer"], today=date(2026, 4, 13))
    assert case.state == CaseState.DELIBERATION
    _approved(case, Action.DECIDE, {"outcome": "infringement", "decision_text": "责令被请求人立即停止销售"},
              people, date(2026, 4, 20))
    assert case.state == CaseState.DECIDED and _deadline(case, "closing").met_on == date(2026, 4, 20)
    request_action(case, Action.SERVE_DECISION, {"decision_served_on": "2026-04-21"}, actor=people["officer"],
                   today=date(2026, 4, 21))
    assert _deadline(case, "right_to_sue").due_on == date(2026, 5, 6)  # 15 days → 5-06 (5-01..05 off)
    request_action(case, Action.CLOSE, {}, actor=people["officer"], today=date(2026, 4, 22))
    db.session.commit()
    assert case.state == CaseState.CLOSED and case.closing_type == "infringement"
    kinds = [e.kind for e in case.events]
    assert kinds[:2] == ["registered", "approval_requested"] and kinds[-1] == "closed"


def test_ordinary_case_needs_an_odd_panel_of_three(db, factory, people):
    case = _accepted(factory, db, people)
    request_action(case, Action.SERVE, {"served_on": "2026-03-05"}, actor=people["officer"], today=date(2026, 3, 5))
    with pytest.raises(ActionRefused, match="合议组"):
        request_action(case, Action.SCHEDULE_HEARING, {"scheduled_at": "2026-03-20T09:00", "place": "第一审理庭",
                                                       "notice_served_on": "2026-03-06"}, actor=people["officer"],
                       today=date(2026, 3, 6))
    two = [people["officer"].id, people["officer2"].id]
    with pytest.raises(ActionRefused, match="三名以上单数"):
        request_action(case, Action.SET_PANEL, {"members": two, "presiding": two[0]}, actor=people["officer"])
    three = two + [people["officer3"].id]
    with pytest.raises(ActionRefused, match="组长"):
        request_action(case, Action.SET_PANEL, {"members": three, "presiding": None}, actor=people["officer"])
    request_action(case, Action.SET_PANEL, {"members": three, "presiding": three[0]}, actor=people["officer"])
    assert len(case.panel) == 3 and sum(m.presiding for m in case.panel) == 1


def _with_panel(case, people):
    members = [people["officer"].id, people["officer2"].id, people["officer3"].id]
    request_action(case, Action.SET_PANEL, {"members": members, "presiding": members[0]}, actor=people["officer"])


def test_hearing_notice_must_come_three_working_days_ahead(db, factory, people):
    case = _accepted(factory, db, people, received=date(2026, 9, 1), today=date(2026, 9, 2))
    _with_panel(case, people)
    request_action(case, Action.SERVE, {"served_on": "2026-09-03"}, actor=people["officer"], today=date(2026, 9, 3))
    hearing = {"scheduled_at": "2026-10-09T09:30", "place": "第一审理庭", "notice_served_on": "2026-09-30"}
    with pytest.raises(ActionRefused, match="最早安排在 2026-10-10"):
        request_action(case, Action.SCHEDULE_HEARING, hearing, actor=people["officer"], today=date(2026, 9, 30))
    hearing["scheduled_at"] = "2026-10-10T09:30"  # a make-up Saturday is a working day
    request_action(case, Action.SCHEDULE_HEARING, hearing, actor=people["officer"], today=date(2026, 9, 30))
    assert case.state == CaseState.HEARING and case.hearings[0].scheduled_at == datetime(2026, 10, 10, 9, 30)


def test_requester_absent_means_deemed_withdrawn_with_approval(db, factory, people):
    case = _accepted(factory, db, people, received=date(2026, 3, 2), today=date(2026, 3, 3))
    _with_panel(case, people)
    request_action(case, Action.SERVE, {"served_on": "2026-03-04"}, actor=people["officer"], today=date(2026, 3, 4))
    # the answer period runs to 3-19 (issue 9.5): the hearing comes after it
    request_action(case, Action.SCHEDULE_HEARING, {"scheduled_at": "2026-03-23T09:00", "place": "审理庭",
                                                   "notice_served_on": "2026-03-05"}, actor=people["officer"],
                   today=date(2026, 3, 5))
    with pytest.raises(ActionRefused, match="缺席"):
        request_action(case, Action.DEEM_WITHDRAWN, {"reason": "缺席"}, actor=people["officer"], today=date(2026, 3, 23))
    request_action(case, Action.HOLD_HEARING, {"requester_attended": False, "respondent_attended": True},
                   actor=people["officer"], today=date(2026, 3, 23))
    assert case.state == CaseState.HEARING
    _approved(case, Action.DEEM_WITHDRAWN, {"reason": "请求人经合法通知无正当理由拒不参加口头审理"}, people, date(2026, 3, 24))
    assert case.state == CaseState.CLOSED and case.closing_type == "deemed_withdrawn"


def test_respondent_absent_means_default_hearing(db, factory, people):
    case = _accepted(factory, db, people, received=date(2026, 3, 2), today=date(2026, 3, 3))
    _with_panel(case, people)
    request_action(case, Action.SERVE, {"served_on": "2026-03-04"}, actor=people["officer"], today=date(2026, 3, 4))
    # the answer period runs to 3-19 (issue 9.5): the hearing comes after it
    request_action(case, Action.SCHEDULE_HEARING, {"scheduled_at": "2026-03-23T09:00", "place": "审理庭",
                                                   "notice_served_on": "2026-03-05"}, actor=people["officer"],
                   today=date(2026, 3, 5))
    request_action(case, Action.HOLD_HEARING, {"requester_attended": True, "respondent_attended": False},
                   actor=people["officer"], today=date(2026, 3, 23))
    assert case.state == CaseState.DELIBERATION and "缺席审理" in case.events[-1].summary


def test_suspension_stops_the_clock_and_extension_adds_a_month(db, factory, people):
    case = _accepted(factory, db, people, received=date(2026, 3, 2), today=date(2026, 3, 3))
    assert _deadline(case, "closing").due_on == date(2026, 6, 3)
    _approved(case, Action.SUSPEND, {"reason": "被请求人请求宣告专利权无效", "reference": "4W112233",
                                     "started_on": "2026-03-10"}, people, date(2026, 3, 10))
    assert case.state == CaseState.SUSPENDED and _deadline(case, "closing").paused
    with pytest.raises(ActionRefused, match="不能送达"):
        request_action(case, Action.SERVE, {"served_on": "2026-03-11"}, actor=people["officer"], today=date(2026, 3, 11))
    request_action(case, Action.RESUME, {"ended_on": "2026-04-09", "reason": "无效宣告请求被驳回"},
                   actor=people["officer"], today=date(2026, 4, 9))
    assert case.state == CaseState.ACCEPTED  # back where it was
    closing = _deadline(case, "closing")
    assert closing.due_on == date(2026, 7, 3) and not closing.paused  # 6-03 + 30 days not counted
    _approved(case, Action.EXTEND, {"reason": "案情复杂"}, people, date(2026, 6, 1))
    assert _deadline(case, "closing").due_on == date(2026, 8, 3)  # +1 month: 8-03 (7-03 → 8-03 Mon)
    with pytest.raises(ActionRefused, match="只能延长一次"):
        request_action(case, Action.EXTEND, {"reason": "再次延长"}, actor=people["officer"])


def test_public_announcement_service_moves_the_closing_date(db, factory, people):
    case = _accepted(factory, db, people, received=date(2026, 3, 2), today=date(2026, 3, 3))
    before = _deadline(case, "closing").due_on
    record_clock_stop(case, kind="announcement", started_on=date(2026, 3, 5), ended_on=date(2026, 4, 4),
                      reason="被请求人下落不明，公告送达", actor=people["officer"], today=date(2026, 4, 5))
    assert (_deadline(case, "closing").due_on - before).days >= 30
    assert "不计入" in _deadline(case, "closing").explanation


def test_conversion_to_ordinary_keeps_the_original_acceptance_date(db, factory, people):
    case = _accepted(factory, db, people, Procedure.SIMPLIFIED, received=date(2026, 3, 2), today=date(2026, 3, 3))
    assert _deadline(case, "closing").due_on == date(2026, 4, 2)
    _approved(case, Action.CONVERT, {"reason": "被请求人提出无效宣告请求，案情复杂"}, people, date(2026, 3, 20))
    assert case.procedure == Procedure.ORDINARY and case.panel == []
    assert _deadline(case, "closing").due_on == date(2026, 6, 3)  # SPEC §4: 3 months from 3-03


def test_only_simplified_cases_convert_and_simplified_cases_do_not_extend(db, factory, people):
    ordinary = _accepted(factory, db, people)
    with pytest.raises(ActionRefused, match="简易程序"):
        request_action(ordinary, Action.CONVERT, {"reason": "x"}, actor=people["officer"])
    simple = _accepted(factory, db, people, Procedure.SIMPLIFIED)
    with pytest.raises(ActionRefused, match="不能延长"):
        request_action(simple, Action.EXTEND, {"reason": "x"}, actor=people["officer"])


def test_dates_before_the_request_or_in_the_future_are_refused(db, factory, people):
    case = _accepted(factory, db, people, received=date(2026, 3, 2), today=date(2026, 3, 3))
    with pytest.raises(ActionRefused, match="不能早于受理日期"):
        request_action(case, Action.SERVE, {"served_on": "2026-03-01"}, actor=people["officer"], today=date(2026, 3, 5))
    with pytest.raises(ActionRefused, match="不能晚于今天"):
        request_action(case, Action.SERVE, {"served_on": "2026-03-09"}, actor=people["officer"], today=date(2026, 3, 5))


def test_only_one_approval_waits_at_a_time(db, factory, people):
    case = _accepted(factory, db, people)
    with clock.frozen(date(2026, 3, 5)):  # a suspension starts between acceptance and today
        request_action(case, Action.SUSPEND, {"reason": "无效", "started_on": "2026-03-05"}, actor=people["officer"])
        with pytest.raises(ActionRefused, match="待审批"):
            request_action(case, Action.WITHDRAW, {"reason": "撤回"}, actor=people["officer"])
