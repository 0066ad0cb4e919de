"""鄂湘赣 cross-region referrals (SPEC §6) as data: the kinds, the states,
the transition table `(state, action) → state` with the side that may take
each action, and the response limits per kind. `check_referral_action` is
the only judge; services apply what it allows.

Plain Python: no Flask, no SQLAlchemy.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casesys.domain.calendar import Unit, WorkCalendar
from casesys.domain.deadlines import Deadline, Party, Rule
from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused
from casesys.domain.states import StateTable


class ReferralKind(Labelled):  # SPEC §6
    CASE_TRANSFER = "case_transfer", "案件移送"
    CLUE_TRANSFER = "clue_transfer", "线索移交"
    INVESTIGATION_HELP = "investigation_help", "协助调查取证"
    SERVICE_HELP = "service_help", "协助送达"
    JOINT_ENFORCEMENT = "joint_enforcement", "联合执法"
    RECOGNITION = "recognition", "结果互认"
    INFORMATION_NOTICE = "information_notice", "信息通报"


# 移送函 for what is handed over, 协助函 for what is asked (SPEC §8).
LETTER_TITLE = {
    ReferralKind.CASE_TRANSFER: "移送函", ReferralKind.CLUE_TRANSFER: "移送函",
}


def letter_title(kind: str) -> str:
    return LETTER_TITLE.get(ReferralKind(kind), "协助函")


class ReferralState(Labelled):  # SPEC §6
    DRAFT = "draft", "草稿"
    SENT = "sent", "已发出"
    RECEIVED = "received", "已签收"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_REFERRAL_STATES = (ReferralState.SENT, ReferralState.RECEIVED, ReferralState.ACCEPTED,
                        ReferralState.IN_PROGRESS, ReferralState.REPLIED, ReferralState.DECLINED)


class Side(Labelled):
    SENDER = "sender", "发出机关"
    RECEIVER = "receiver", "接收机关"


class ReferralAction(Labelled):
    SEND = "send", "发送"
    RECEIVE = "receive", "签收"
    ACCEPT = "accept", "接受"
    DECLINE = "decline", "拒绝"
    START = "start", "开始办理"
    REPLY = "reply", "答复"
    CLOSE = "close", "办结"
    WITHDRAW = "withdraw", "撤回"


@dataclass(frozen=True)
class Move:
    side: Side
    target: ReferralState


S, A = ReferralState, ReferralAction
# SPEC §6: draft → sent → received → accepted | declined → in_progress →
# replied → closed; withdrawn by the sender before acceptance.
TRANSITIONS: dict[tuple[ReferralState, ReferralAction], Move] = {
    (S.DRAFT, A.SEND): Move(Side.SENDER, S.SENT),
    (S.SENT, A.RECEIVE): Move(Side.RECEIVER, S.RECEIVED),
    (S.RECEIVED, A.ACCEPT): Move(Side.RECEIVER, S.ACCEPTED),
    (S.RECEIVED, A.DECLINE): Move(Side.RECEIVER, S.DECLINED),
    (S.ACCEPTED, A.START): Move(Side.RECEIVER, S.IN_PROGRESS),
    (S.IN_PROGRESS, A.REPLY): Move(Side.RECEIVER, S.REPLIED),
    (S.REPLIED, A.CLOSE): Move(Side.SENDER, S.CLOSED),
    (S.DECLINED, A.CLOSE): Move(Side.SENDER, S.CLOSED),
    (S.SENT, A.WITHDRAW): Move(Side.SENDER, S.WITHDRAWN),
    (S.RECEIVED, A.WITHDRAW): Move(Side.SENDER, S.WITHDRAWN),
}


# Each action belongs to one side, whatever the state.
ACTION_SIDE: dict[ReferralAction, Side] = {action: move.side for (_, action), move in TRANSITIONS.items()}


@dataclass(frozen=True)
class ReferralFacts:
    state: ReferralState
    kind: ReferralKind
    side: Side                       # the side of whoever acts
    has_sender_case: bool = False    # a case transfer carries the sender's case
    text: str = ""                   # reason (decline, withdraw) or answer (reply)


class ReferralRefused(Refused):
    """The message says why, in Chinese, for the user (and the partner's log)."""


NEEDS_TEXT = {A.DECLINE: "请填写拒绝理由", A.WITHDRAW: "请填写撤回理由", A.REPLY: "请填写答复内容"}


def check_referral_action(action: ReferralAction, facts: ReferralFacts) -> ReferralState:
    """The state `action` leads to, or ReferralRefused with the reason."""
    move = TRANSITIONS.get((facts.state, action))
    if move is None:
        raise ReferralRefused(f"协作事项当前状态为“{facts.state.label}”，不能{action.label}")
    if move.side != facts.side:
        raise ReferralRefused(f"只有{move.side.label}可以{action.label}")
    if action in NEEDS_TEXT and not facts.text.strip():
        raise ReferralRefused(NEEDS_TEXT[action])
    if action == A.SEND and facts.kind == ReferralKind.CASE_TRANSFER and not facts.has_sender_case:
        raise ReferralRefused("案件移送须关联本机关的案件")
    return move.target


def available_referral_actions(state: ReferralState, side: Side) -> list[ReferralAction]:
    return [action for (source, action), move in TRANSITIONS.items() if source == state and move.side == side]


# --- messages to a partner instance --------------------------------------------

class OutboxState(Labelled):
    PENDING = "pending", "待送达"
    DELIVERED = "delivered", "已送达"


class OutboxMove(Labelled):
    DELIVER = "deliver", "确认送达"


# SPEC §6: a signed message is pending until the partner's signed receipt
# comes back; a failed attempt is its delivery job's, retried by the worker.
OUTBOX = StateTable(OutboxState, {(OutboxState.PENDING, OutboxMove.DELIVER): OutboxState.DELIVERED},
                    refusal=lambda state, move: f"该消息当前为“{state.label}”，不能{move.label}", error=ReferralRefused)


# --- response limits (SPEC §6, configurable) ----------------------------------

BASIS = "鄂湘赣跨区域知识产权保护协作机制"
ACK_DAYS = 3      # SPEC §6: acknowledge within 3 working days
REPLY_DAYS = 15   # SPEC §6: reply within 15 working days
# SPEC §6: urgent kinds shorter.
URGENT = {ReferralKind.JOINT_ENFORCEMENT: (1, 5), ReferralKind.SERVICE_HELP: (2, 10)}


def rule_key(phase: str, kind: ReferralKind | str) -> str:
    return f"ref_{phase}_{ReferralKind(kind).value}"


def _rules() -> tuple[Rule, ...]:
    rules = []
    for kind in ReferralKind:
        ack, reply = URGENT.get(kind, (ACK_DAYS, REPLY_DAYS))
        rules.append(Rule(rule_key("ack", kind), f"{kind.label}：签收", ack, Unit.WORKING,
                          "协作事项发出之日", BASIS))
        rules.append(Rule(rule_key("reply", kind), f"{kind.label}：答复", reply, Unit.WORKING,
                          "协作事项签收之日", BASIS))
    return tuple(rules)


REFERRAL_RULES: tuple[Rule, ...] = _rules()
DEADLINE_KINDS = ("referral_ack", "referral_reply")


@dataclass(frozen=True)
class ReferralDates:
    kind: ReferralKind
    sent_on: date | None
    received_on: date | None = None
    replied_on: date | None = None    # the reply, or the decline, answers the request
    ended_on: date | None = None      # withdrawn: nothing more is owed


def referral_deadlines(dates: ReferralDates, rules: dict[str, Rule], calendar: WorkCalendar) -> list[Deadline]:
    """The receiver's limits: acknowledge from sending, answer from receipt.
    Both offices see them (SPEC §6: overdue flagged on both sides)."""
    items: list[Deadline] = []
    if dates.sent_on is None:
        return items

    def add(kind: str, phase: str, trigger: date, met_on: date | None) -> None:
        rule = rules[rule_key(phase, dates.kind)]
        due = calendar.add(trigger, rule.amount, rule.unit)
        explanation = f"{rule.label}：{due.explain()}（依据：{rule.basis}）"
        items.append(Deadline(kind, rule.label, Party.OFFICE, due.date, due.provisional, met_on, False, explanation))

    add("referral_ack", "ack", dates.sent_on, dates.received_on or dates.ended_on)
    if dates.received_on is not None:
        add("referral_reply", "reply", dates.received_on, dates.replied_on or dates.ended_on)
    return items


# --- figures (SPEC §10: referrals by partner and their response times) ---------

def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
