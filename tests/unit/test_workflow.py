"""The adjudication state machine (SPEC §3, §4): every action in every state,
and each rule an action checks."""
from datetime import date

import pytest

from casesys.domain.enums import CaseState as S
from casesys.domain.enums import EvaluationConclusion as E
from casesys.domain.enums import PatentStatus, PatentType, Procedure
from casesys.domain.workflow import (
    ACCEPTANCE_CONDITIONS,
    SIMPLIFIED_CONDITIONS,
    STEPS,
    Action,
    ActionRefused,
    CaseFacts,
    PatentFacts,
    available_actions,
    check_action,
    target_state,
)

ALL_MET = dict.fromkeys({**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}, True)

# Written by hand from SPEC §3/§4 (not read from the workflow table): the
# states each action may start from.
# §3: received ─screen→ accepted ─serve→ answer_period → hearing → deliberation
#     → decided → served_decision → closed; received → not_accepted;
#     accepted (and the steps after it) ⇄ suspended.
BEFORE_DECISION = {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION}
EXPECTED_SOURCES = {
    Action.ACCEPT: {S.RECEIVED},                      # screening a complete request
    Action.REJECT: {S.RECEIVED},                      # → not_accepted
    Action.SERVE: {S.ACCEPTED, S.ANSWER_PERIOD},      # the request copy, to each respondent after acceptance
    # the answer may come in (and be forwarded) until the panel deliberates
    Action.RECORD_ANSWER: {S.ANSWER_PERIOD, S.HEARING},
    Action.FORWARD_ANSWER: {S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION},
    # the panel is formed after acceptance and may change until the decision
    Action.SET_PANEL: {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED},
    Action.SCHEDULE_HEARING: {S.ANSWER_PERIOD, S.HEARING},   # a second hearing may follow the first
    Action.HOLD_HEARING: {S.HEARING},
    Action.DELIBERATE: {S.ANSWER_PERIOD},             # on the papers (书面审理), without a hearing
    Action.DECIDE: {S.DELIBERATION},
    Action.SERVE_DECISION: {S.DECIDED},
    Action.CLOSE: {S.SERVED_DECISION},
    Action.SUSPEND: {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION},
    Action.RESUME: {S.SUSPENDED},
    # §4: conversion "at any time before the decision"
    Action.CONVERT: {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED},
    # §3: one extension of the closing limit, while the case runs
    Action.EXTEND: {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED},
    # closing types other than the ruling: withdrawn (also before acceptance),
    # deemed withdrawn (absent from the hearing), revoked, mediated
    Action.WITHDRAW: {S.RECEIVED, S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED},
    Action.DEEM_WITHDRAWN: {S.HEARING},
    Action.REVOKE: {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED},
    Action.CLOSE_MEDIATED: {S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION},
    # §6: a transfer for jurisdiction ends the sender's case as transferred, before the decision
    Action.TRANSFER: {S.RECEIVED, S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED},
}
# SPEC §1: a supervisor approves acceptance and its refusal, conversion,
# extension, suspension, the decision and every closing other than by ruling.
NEEDS_APPROVAL = {Action.ACCEPT, Action.REJECT, Action.DECIDE, Action.SUSPEND, Action.CONVERT, Action.EXTEND,
                  Action.WITHDRAW, Action.REVOKE, Action.DEEM_WITHDRAWN, Action.CLOSE_MEDIATED, Action.TRANSFER}


def facts(state=S.RECEIVED, procedure=Procedure.ORDINARY, **kwargs) -> CaseFacts:
    defaults = dict(received_on=date(2026, 3, 2), conditions=ALL_MET, panel_size=3, has_presiding=True,
                    decision_outcome="infringement")
    return CaseFacts(state=state, procedure=procedure, **(defaults | kwargs))


def test_the_table_covers_every_action():
    assert set(EXPECTED_SOURCES) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", list(S))
def test_each_action_is_allowed_exactly_in_its_states(action, state):
    """Asked through the one judge: outside its states an action is refused
    for the state; inside them, never for the state (other rules may still
    refuse it)."""
    refused_for_state = f"当前状态为“{state.label}”"
    case = facts(state, suspended_from=S.HEARING, requester_absent=True)
    if state in EXPECTED_SOURCES[action]:
        try:
            check_action(action, case)
        except ActionRefused as error:
            assert refused_for_state not in str(error)
    else:
        with pytest.raises(ActionRefused, match=refused_for_state):
            check_action(action, case)


@pytest.mark.parametrize("action, state, target", [
    (Action.ACCEPT, S.RECEIVED, S.ACCEPTED), (Action.REJECT, S.RECEIVED, S.NOT_ACCEPTED),
    (Action.SERVE, S.ACCEPTED, S.ANSWER_PERIOD), (Action.SCHEDULE_HEARING, S.ANSWER_PERIOD, S.HEARING),
    (Action.HOLD_HEARING, S.HEARING, S.DELIBERATION), (Action.DELIBERATE, S.ANSWER_PERIOD, S.DELIBERATION),
    (Action.DECIDE, S.DELIBERATION, S.DECIDED), (Action.SERVE_DECISION, S.DECIDED, S.SERVED_DECISION),
    (Action.CLOSE, S.SERVED_DECISION, S.CLOSED), (Action.SUSPEND, S.HEARING, S.SUSPENDED),
    (Action.WITHDRAW, S.ANSWER_PERIOD, S.CLOSED), (Action.REVOKE, S.ACCEPTED, S.CLOSED),
    (Action.CLOSE_MEDIATED, S.DELIBERATION, S.CLOSED), (Action.EXTEND, S.HEARING, S.HEARING),
    (Action.RECORD_ANSWER, S.ANSWER_PERIOD, S.ANSWER_PERIOD), (Action.CONVERT, S.ACCEPTED, S.ACCEPTED),
    (Action.FORWARD_ANSWER, S.HEARING, S.HEARING), (Action.SET_PANEL, S.SUSPENDED, S.SUSPENDED),
])
def test_where_each_action_leads(action, state, target):
    assert target_state(action, facts(state)) == target


@pytest.mark.parametrize("left", [S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION])
def test_resume_returns_to_the_state_it_left(left):
    assert target_state(Action.RESUME, facts(S.SUSPENDED, suspended_from=left)) == left


def test_an_absent_requester_is_deemed_to_withdraw():
    assert target_state(Action.DEEM_WITHDRAWN, facts(S.HEARING, requester_absent=True)) == S.CLOSED


def test_hearing_with_the_requester_absent_stays_for_deemed_withdrawal():
    assert target_state(Action.HOLD_HEARING, facts(S.HEARING, requester_absent=True)) == S.HEARING
    check_action(Action.DEEM_WITHDRAWN, facts(S.HEARING, requester_absent=True))
    with pytest.raises(ActionRefused):
        check_action(Action.DEEM_WITHDRAWN, facts(S.HEARING, requester_absent=False))


@pytest.mark.parametrize("action", list(Action))
def test_which_steps_need_a_supervisor(action):
    assert STEPS[action].approval == (action in NEEDS_APPROVAL)


@pytest.mark.parametrize("missing", list(ACCEPTANCE_CONDITIONS))
def test_every_acceptance_condition_counts(missing):
    with pytest.raises(ActionRefused, match=ACCEPTANCE_CONDITIONS[missing]):
        check_action(Action.ACCEPT, facts(conditions=dict(ALL_MET, **{missing: False})))


@pytest.mark.parametrize("missing", list(SIMPLIFIED_CONDITIONS))
def test_every_simplified_condition_counts(missing):
    with pytest.raises(ActionRefused, match=SIMPLIFIED_CONDITIONS[missing]):
        check_action(Action.ACCEPT, facts(procedure=Procedure.SIMPLIFIED,
                                          conditions=dict(ALL_MET, **{missing: False})))
    check_action(Action.ACCEPT, facts(procedure=Procedure.ORDINARY, conditions=dict(ALL_MET, **{missing: False})))


@pytest.mark.parametrize("patent_type, status, evaluation, ok", [
    (PatentType.INVENTION, PatentStatus.VALID, E.NONE, True),
    (PatentType.UTILITY_MODEL, PatentStatus.VALID, E.NONE, False),
    (PatentType.UTILITY_MODEL, PatentStatus.VALID, E.UNFAVOURABLE, False),
    (PatentType.UTILITY_MODEL, PatentStatus.VALID, E.FAVOURABLE, True),
    (PatentType.DESIGN, PatentStatus.VALID, E.PARTLY, True),
    (PatentType.DESIGN, PatentStatus.VALID, E.NONE, False),
    (PatentType.INVENTION, PatentStatus.INVALIDATION_PENDING, E.NONE, False),
])
def test_simplified_procedure_and_the_patent(patent_type, status, evaluation, ok):
    case = facts(procedure=Procedure.SIMPLIFIED, patents=(PatentFacts(patent_type, status, evaluation),))
    if ok:
        check_action(Action.ACCEPT, case)
    else:
        with pytest.raises(ActionRefused):
            check_action(Action.ACCEPT, case)


@pytest.mark.parametrize("size, presiding, ok", [(1, True, False), (2, True, False), (3, False, False),
                                                 (3, True, True), (4, True, False), (5, True, True)])
def test_ordinary_panel_is_odd_at_least_three_with_a_presiding_member(size, presiding, ok):
    case = facts(S.ANSWER_PERIOD, panel_size=size, has_presiding=presiding)
    if ok:
        check_action(Action.SCHEDULE_HEARING, case)
    else:
        with pytest.raises(ActionRefused, match="合议组"):
            check_action(Action.SCHEDULE_HEARING, case)


def test_simplified_case_needs_no_panel_and_may_skip_the_hearing():
    check_action(Action.DELIBERATE, facts(S.ANSWER_PERIOD, Procedure.SIMPLIFIED, panel_size=1))
    # Issue 9.6: the ordinary procedure's panel may decide on the papers too (the reason is checked by the service)
    check_action(Action.DELIBERATE, facts(S.ANSWER_PERIOD, Procedure.ORDINARY, panel_size=3, has_presiding=True))
    with pytest.raises(ActionRefused, match="合议组"):
        check_action(Action.DELIBERATE, facts(S.ANSWER_PERIOD, Procedure.ORDINARY, panel_size=2))


def test_extension_once_and_only_in_the_ordinary_procedure():
    check_action(Action.EXTEND, facts(S.HEARING, extensions=0))
    with pytest.raises(ActionRefused, match="只能延长一次"):
        check_action(Action.EXTEND, facts(S.HEARING, extensions=1))
    with pytest.raises(ActionRefused, match="不能延长"):
        check_action(Action.EXTEND, facts(S.HEARING, Procedure.SIMPLIFIED))


def test_conversion_only_from_simplified():
    check_action(Action.CONVERT, facts(S.ACCEPTED, Procedure.SIMPLIFIED))
    with pytest.raises(ActionRefused):
        check_action(Action.CONVERT, facts(S.ACCEPTED, Procedure.ORDINARY))


def test_available_actions_follow_the_state():
    assert set(available_actions(facts(S.RECEIVED))) == {Action.ACCEPT, Action.REJECT, Action.WITHDRAW}
    assert Action.RESUME in available_actions(facts(S.SUSPENDED))
    assert available_actions(facts(S.CLOSED)) == []


def test_the_next_routine_step_comes_first():
    answered = facts(S.ANSWER_PERIOD, answer_received_on=date(2026, 3, 20))
    actions = available_actions(answered)
    # forward the answer (SPEC §3, 5 working days), then the hearing; the panel exists already
    assert actions[:2] == [Action.FORWARD_ANSWER, Action.SCHEDULE_HEARING]
    assert Action.RECORD_ANSWER not in actions and actions.index(Action.SET_PANEL) > 1
    waiting = available_actions(facts(S.ANSWER_PERIOD, panel_size=0, has_presiding=False))
    assert waiting[0] == Action.SET_PANEL and Action.FORWARD_ANSWER not in waiting
