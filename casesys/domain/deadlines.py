"""Statutory time limits of a case (SPEC §3, §4, §9).

Rules are data (an administrator edits them; these are the defaults). From a
snapshot of the case's dates, `compute_deadlines` gives each running or
finished limit with its due date and why it is that date. The closing limit
is lengthened by the days the case clock stood still (suspension, public
announcement, appraisal) before its last day moves to a working day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casesys.domain.calendar import Unit, WorkCalendar
from casesys.domain.enums import Labelled, Procedure


class Party(Labelled):
    """Whose limit it is: the office's own duty, or a party's period."""
    OFFICE = "office", "本机关"
    PARTY = "party", "当事人"


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    amount: int
    unit: Unit
    trigger: str
    basis: str
    owner: Party = Party.OFFICE


# What users see as each rule's source (issue 9.4): the law, never the
# specification; an administrator corrects it in the rule's row.
MEASURES = "《专利纠纷行政裁决和调解办法》"
PATENT_LAW_65 = "《中华人民共和国专利法》第六十五条"

DEFAULT_RULES: tuple[Rule, ...] = (  # SPEC §3, §4
    Rule("acceptance", "决定是否受理", 5, Unit.WORKING, "收到完整请求之日", MEASURES),
    Rule("service", "送达请求书副本", 5, Unit.WORKING, "立案受理之日", MEASURES),
    Rule("answer", "被请求人答辩期", 15, Unit.CALENDAR, "被请求人收到请求书副本之日", MEASURES, Party.PARTY),
    Rule("answer_simplified", "答辩期（简易程序，当事人同意缩短）", 10, Unit.CALENDAR,
         "被请求人收到请求书副本之日", MEASURES, Party.PARTY),
    Rule("forward_answer", "转送答辩书", 5, Unit.WORKING, "收到答辩书之日", MEASURES),
    Rule("hearing_notice", "口头审理通知（至少提前）", 3, Unit.WORKING, "送达口头审理通知之日", MEASURES),
    Rule("closing_ordinary", "结案期限（普通程序）", 3, Unit.MONTHS, "立案受理之日", MEASURES),
    Rule("closing_simplified", "结案期限（简易程序）", 30, Unit.CALENDAR, "立案受理之日", MEASURES),
    Rule("extension", "延长审理期限（最多一次）", 1, Unit.MONTHS, "原结案期限届满之日", MEASURES),
    Rule("right_to_sue", "当事人起诉期限", 15, Unit.CALENDAR, "当事人收到裁决书之日", PATENT_LAW_65, Party.PARTY),
)


# The kinds `compute_deadlines` produces; other features (mediation) store
# deadlines of their own kinds beside them. Each respondent's answer period is
# its own deadline, `answer:<party id>` (SPEC §3: per respondent).
ADJUDICATION_KINDS = ("acceptance", "service", "answer", "forward_answer", "closing", "right_to_sue")
ANSWER_PREFIX = "answer:"
SUE_PREFIX = "right_to_sue:"  # SPEC §3: counted per party from its own receipt of the ruling


def is_adjudication_kind(kind: str) -> bool:
    return kind in ADJUDICATION_KINDS or kind.startswith((ANSWER_PREFIX, SUE_PREFIX))


@dataclass(frozen=True)
class Respondent:
    """One respondent's service of the request copy and answer (SPEC §3)."""
    key: str
    name: str
    served_on: date | None = None
    answer_received_on: date | None = None


@dataclass(frozen=True)
class ClockStop:
    kind: str          # suspension | announcement | appraisal
    start: date
    end: date | None   # None: still stopped

    def days(self, today: date) -> int:
        """Calendar days not counted: from the start up to the day before the clock runs again."""
        return max(0, ((self.end or today) - self.start).days)


class ReminderLevel(Labelled):
    """How near a deadline is when its reminder is made (one reminder per
    level), or what a to-do notice that is no deadline tells."""
    UPCOMING = "upcoming", "即将到期"
    DUE = "due", "今日到期"
    OVERDUE = "overdue", "已逾期"
    RETURNED = "returned", "文书被退回"
    DECIDED = "decided", "申请已处理"


def reminder_level(due_on: date, today: date, horizon: date) -> ReminderLevel | None:
    """None: not yet within the reminder horizon."""
    if due_on < today:
        return ReminderLevel.OVERDUE
    if due_on == today:
        return ReminderLevel.DUE
    if due_on <= horizon:
        return ReminderLevel.UPCOMING
    return None


@dataclass(frozen=True)
class DeadlineFacts:
    procedure: Procedure | None
    received_on: date
    accepted_on: date | None = None
    served_on: date | None = None
    answer_received_on: date | None = None
    answer_forwarded_on: date | None = None
    short_answer_agreed: bool = False
    extended: bool = False
    decided_on: date | None = None
    decision_served_on: date | None = None
    closed_on: date | None = None
    not_accepted: bool = False
    stops: tuple[ClockStop, ...] = ()
    respondents: tuple[Respondent, ...] = ()  # empty: one respondent, the case's own dates
    ruling_receipts: tuple[tuple[str, str, date], ...] = ()  # (party key, name, received on)


@dataclass(frozen=True)
class Deadline:
    kind: str
    label: str
    owner: Party
    due: date
    provisional: bool
    met_on: date | None
    paused: bool
    explanation: str


@dataclass
class _Builder:
    rules: dict[str, Rule]
    calendar: WorkCalendar
    items: list[Deadline] = field(default_factory=list)

    def add(self, kind: str, rule_key: str, trigger: date, met_on: date | None, *,
            label: str | None = None, extra_days: int = 0, paused: bool = False,
            extra_months: int = 0, note: str = "") -> None:
        rule = self.rules[rule_key]
        # SPEC §3: closing day = nominal end (+ the extension month) + days not
        # counted; only that last day moves to the next working day.
        due = self.calendar.add(trigger, rule.amount, rule.unit, extra_months=extra_months,
                                stopped_days=extra_days)
        explanation = f"{rule.label}：{due.explain()}（依据：{rule.basis}）"
        if note:
            explanation += note
        self.items.append(Deadline(kind, label or rule.label, rule.owner, due.date, due.provisional,
                                   met_on, paused, explanation))


def compute_deadlines(facts: DeadlineFacts, rules: dict[str, Rule], calendar: WorkCalendar,
                      today: date) -> list[Deadline]:
    b = _Builder(rules, calendar)
    b.add("acceptance", "acceptance", facts.received_on,
          facts.accepted_on or (facts.closed_on if facts.not_accepted else None))
    if facts.accepted_on is None:
        return b.items
    b.add("service", "service", facts.accepted_on, facts.served_on)
    # SPEC §3: the answer period runs per respondent, from its own receipt.
    for respondent in facts.respondents:
        if respondent.served_on:
            b.add(ANSWER_PREFIX + respondent.key, answer_rule_key(facts), respondent.served_on,
                  respondent.answer_received_on,
                  label=f"{rules[answer_rule_key(facts)].label}（{respondent.name}）")
    if not facts.respondents and facts.served_on:
        b.add("answer", answer_rule_key(facts), facts.served_on, facts.answer_received_on)
    if facts.answer_received_on:
        forwarded = facts.answer_forwarded_on
        b.add("forward_answer", "forward_answer", facts.answer_received_on,
              forwarded if forwarded and forwarded >= facts.answer_received_on else None)
    # SPEC §4: on conversion the ordinary limit runs from the original acceptance.
    closing_rule = "closing_simplified" if facts.procedure == Procedure.SIMPLIFIED else "closing_ordinary"
    stopped = sum(stop.days(today) for stop in facts.stops)
    paused = any(stop.end is None for stop in facts.stops)
    b.add("closing", closing_rule, facts.accepted_on, facts.decided_on or facts.closed_on,
          label="结案期限", extra_days=stopped, paused=paused,
          extra_months=rules["extension"].amount if facts.extended else 0,
          note=" 期限中止中，恢复后顺延。" if paused else "")
    for key, name, received_on in facts.ruling_receipts:
        b.add(SUE_PREFIX + key, "right_to_sue", received_on, None, label=f"{rules['right_to_sue'].label}（{name}）")
    if facts.decision_served_on and not facts.ruling_receipts:
        b.add("right_to_sue", "right_to_sue", facts.decision_served_on, None)
    return b.items


def answer_rule_key(facts: DeadlineFacts) -> str:
    """SPEC §4: the shortened answer period applies in the simplified procedure if the parties agreed."""
    return ("answer_simplified" if facts.procedure == Procedure.SIMPLIFIED and facts.short_answer_agreed
            else "answer")


def rules_by_key(rules=DEFAULT_RULES) -> dict[str, Rule]:
    return {rule.key: rule for rule in rules}


def urgency(deadline, today: date) -> str:
    """met | expired | overdue | due_today | open. The office's own limits are
    flagged from the due day itself; a party's period that has run out has
    simply expired (no answer does not stop the case, SPEC §3)."""
    due = getattr(deadline, "due", None) or deadline.due_on
    if deadline.met_on is not None:
        return "met"
    if deadline.owner == Party.PARTY:
        return "expired" if due < today else "open"
    if due < today:
        return "overdue"
    if due == today:
        return "due_today"
    return "open"


def days_left(deadline: Deadline, today: date) -> int:
    return (deadline.due - today).days


