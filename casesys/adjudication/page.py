"""What the case page shows of the procedure (SPEC §3, §4): the steps the
state allows, routine ones first with the deadline the next must meet,
the approval waiting, the clock stops."""
from __future__ import annotations

from casesys.adjudication.services import STOP_KINDS, case_facts, pending_approval
from casesys.cases.models import Case
from casesys.core import clock
from casesys.domain.enums import Procedure
from casesys.domain.workflow import ROUTINE, Action, action_label, available_actions
from casesys.forms import adjudication as forms


def procedure_context(case: Case) -> dict:
    """What the case page shows of the procedure."""
    facts = case_facts(case)
    actions = [a for a in available_actions(facts) if a != Action.REJECT]  # refusal sits on the screening page
    routine = [a for a in actions if a in ROUTINE]
    step = next_step(case, routine, facts)
    if step and step.get("action") in routine:  # the next step's button comes first
        routine.remove(step["action"])
        routine.insert(0, step["action"])
    return {
        "actions": routine,
        "other_actions": [a for a in actions if a not in ROUTINE],
        "pending": pending_approval(case), "stop_kinds": STOP_KINDS,
        "stop_form": forms.ClockStopForm(), "Procedure": Procedure, "today": clock.today(),
        "next_step": step,
        "label": lambda action: action_label(action, case.procedure),
    }


#: The deadline that governs each routine step (SPEC §3 time limits).
STEP_DEADLINES = {
    Action.ACCEPT: "acceptance", Action.SERVE: "service", Action.RECORD_ANSWER: "answer",
    Action.FORWARD_ANSWER: "forward_answer", Action.SCHEDULE_HEARING: "closing", Action.HOLD_HEARING: "closing",
    Action.DELIBERATE: "closing", Action.DECIDE: "closing", Action.SET_PANEL: "closing",
}


def next_step(case: Case, routine: list[Action], facts) -> dict | None:
    """「下一步：送达请求书副本，2026-12-07 前」: the first routine step and the
    deadline it must meet; while a hearing is ahead, the hearing itself."""
    if case.state.value == "suspended":
        return {"text": "案件中止审理，审理期限暂停计算；中止原因消除后恢复审理。", "due": None}
    if facts.next_hearing_on and facts.today and facts.today < facts.next_hearing_on:
        upcoming = min((h for h in case.hearings if not h.held), key=lambda h: h.scheduled_at)
        return {"text": f"口头审理，{upcoming.scheduled_at:%Y-%m-%d %H:%M}，{upcoming.place}", "due": None}
    done = {d.kind for d in case.deadlines if d.met_on}
    # a step whose deadline is met has been taken (the answer forwarded, say)
    pending = [a for a in routine if STEP_DEADLINES.get(a) not in done or STEP_DEADLINES.get(a) == "closing"]
    if not pending:
        return None
    action = pending[0]
    deadlines = {d.kind: d for d in case.deadlines if not d.met_on}
    deadline = deadlines.get(STEP_DEADLINES.get(action, ""))
    return {"text": action_label(action, case.procedure), "due": deadline.due_on if deadline else None,
            "paused": bool(deadline and deadline.paused), "action": action}
