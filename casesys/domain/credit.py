"""Credit records (SPEC §7) as data: the reasons a record is proposed, its
states, and one table of allowed transitions `(state, action) → state` with
what each needs. `check_transition` is the only judge; services apply what it
allows. Plain Python: "today" and the calendar come in as arguments.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused


class CreditReason(Labelled):  # SPEC §7: what creates a record entry
    REPEAT_INFRINGEMENT = "repeat_infringement", "重复侵权"
    RULING_NOT_PERFORMED = "ruling_not_performed", "拒不履行行政裁决"
    TERM_NOT_PERFORMED = "term_not_performed", "拒不履行调解协议"
    FORGED_EVIDENCE = "forged_evidence", "提供虚假证据"


class CreditState(Labelled):
    CANDIDATE = "candidate", "待审核"
    CONFIRMED = "confirmed", "已认定（待告知）"
    REJECTED = "rejected", "不予认定"
    NOTIFIED = "notified", "已告知（异议期）"
    OBJECTED = "objected", "异议处理中"
    WITHDRAWN = "withdrawn", "已撤销"


class CreditAction(Labelled):
    CONFIRM = "confirm", "认定"
    REJECT = "reject", "不予认定"
    NOTIFY = "notify", "告知当事人"
    OBJECT = "object", "登记异议"
    DISMISS_OBJECTION = "dismiss_objection", "异议不成立"
    SUSTAIN_OBJECTION = "sustain_objection", "异议成立（撤销记录）"
    WITHDRAW = "withdraw", "撤销记录"


S, A = CreditState, CreditAction


@dataclass(frozen=True)
class Transition:
    target: CreditState
    needs: tuple[str, ...] = ()   # payload fields that must not be empty
    supervisor: bool = True       # SPEC §7: reviewed by a supervisor before it counts


TRANSITIONS: dict[tuple[CreditState, CreditAction], Transition] = {
    (S.CANDIDATE, A.CONFIRM): Transition(S.CONFIRMED, ("basis", "publish_months")),
    (S.CANDIDATE, A.REJECT): Transition(S.REJECTED, ("reason",)),
    (S.CONFIRMED, A.NOTIFY): Transition(S.NOTIFIED, ("notice", "notified_on"), supervisor=False),
    (S.NOTIFIED, A.OBJECT): Transition(S.OBJECTED, ("objection", "received_on"), supervisor=False),
    (S.OBJECTED, A.DISMISS_OBJECTION): Transition(S.NOTIFIED, ("reason",)),
    (S.OBJECTED, A.SUSTAIN_OBJECTION): Transition(S.WITHDRAWN, ("reason",)),
    (S.CONFIRMED, A.WITHDRAW): Transition(S.WITHDRAWN, ("reason",)),
    (S.NOTIFIED, A.WITHDRAW): Transition(S.WITHDRAWN, ("reason",)),
}

NEEDS_LABELS = {
    "basis": "认定依据", "publish_months": "公示期限", "reason": "理由", "notice": "已签发的信用记录告知书",
    "notified_on": "告知书送达日期", "objection": "异议内容", "received_on": "异议收到日期",
}
MAX_PUBLISH_MONTHS = 60


class CreditRefused(Refused):
    """The message says why, in Chinese."""


def actions_from(state: CreditState) -> list[CreditAction]:
    return [action for (source, action) in TRANSITIONS if source == state]


def check_transition(state: CreditState, action: CreditAction, payload: dict, *,
                     today: date, objection_due_on: date | None = None) -> CreditState:
    """The state `action` leads to, or CreditRefused with the reason."""
    transition = TRANSITIONS.get((state, action))
    if transition is None:
        raise CreditRefused(f"信用记录当前状态为“{state.label}”，不能{action.label}")
    missing = [NEEDS_LABELS[key] for key in transition.needs if payload.get(key) in (None, "", 0)]
    if missing:
        raise CreditRefused(f"{action.label}须填写：" + "、".join(missing))
    if action == A.CONFIRM and not 1 <= int(payload["publish_months"]) <= MAX_PUBLISH_MONTHS:
        raise CreditRefused(f"公示期限应为 1 至 {MAX_PUBLISH_MONTHS} 个月")
    for key in ("notified_on", "received_on"):
        if isinstance(payload.get(key), date) and payload[key] > today:
            raise CreditRefused(f"{NEEDS_LABELS[key]}不能晚于今天")
    if action == A.OBJECT and objection_due_on and payload["received_on"] > objection_due_on:
        raise CreditRefused(f"异议期已于 {objection_due_on.isoformat()} 届满，逾期异议不予登记")
    return transition.target


def is_public(state: CreditState, *, today: date, objection_due_on: date | None,
              publish_until: date | None) -> bool:
    """SPEC §7: a confirmed record is published once the party was told and
    the objection period passed without an open objection, until the end of
    the publication period the supervisor set."""
    return (state == S.NOTIFIED and objection_due_on is not None and publish_until is not None
            and objection_due_on < today <= publish_until)


def display_state(state: CreditState, *, today: date, objection_due_on: date | None,
                  publish_until: date | None) -> str:
    if is_public(state, today=today, objection_due_on=objection_due_on, publish_until=publish_until):
        return "公示中"
    if state == S.NOTIFIED and publish_until is not None and today > publish_until:
        return "公示期满"
    return state.label


def repeat_window_start(today: date, years: int) -> date:
    """The first day of the look-back window of `years` years (SPEC §7)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class CreditEvent(Labelled):
    """Timeline entries of credit and publication steps (stored as strings)."""
    CREDIT = "credit", "信用记录"
    PUBLICATION = "publication", "公开"
