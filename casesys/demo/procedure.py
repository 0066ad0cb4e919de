"""Demo data: the procedure records behind each demo case's state (SPEC §3–§5).

A mediation case in 调解中 has its parties' consent, mediators and sessions; one
that reached agreement has the agreement with its terms and every signature;
a failed one the refusal that ended it. An adjudication past service has its
panel (ordinary procedure only), its hearings held or scheduled. Rows are
built as plain dicts for bulk INSERT, like the rest of the demo data.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from casesys.adjudication.models import Hearing, PanelMember
from casesys.cases.models import CaseEvent
from casesys.domain.enums import CaseState, CaseType, PartyRole, Procedure
from casesys.domain.events import EventKind
from casesys.domain.mediation import Consent, MediationStatus, Position, TermKind
from casesys.extensions import db
from casesys.mediation.models import (
    Agreement,
    AgreementTerm,
    Mediation,
    MediationParty,
    MediationSession,
    Mediator,
    Proposal,
    ProposalPosition,
    SessionAttendance,
    Signature,
    mediation_mediators,
    mediation_organisations,
)

MEDIATION_MODELS = (Mediation, MediationParty, MediationSession, SessionAttendance, Proposal, ProposalPosition,
                    Agreement, AgreementTerm, Signature, PanelMember, Hearing)
#: States of an adjudication whose oral hearing has been held (SPEC §3).
HEARD = (CaseState.DELIBERATION, CaseState.DECIDED, CaseState.SERVED_DECISION, CaseState.CLOSED)
SESSION_TIMES = (time(9, 30), time(14, 30), time(10, 0), time(15, 0))


@dataclass
class CaseSketch:
    """What the generator decided about one case."""
    case_id: int
    case_type: CaseType
    state: CaseState
    procedure: Procedure | None
    office_id: int
    office_name: str
    handler_id: int
    parties: list[dict]
    agent_firms: set[str]
    happened: dict[EventKind, date]
    closed_on: date | None
    rows: dict = field(default_factory=dict)


class ProcedureRows:
    """Collects the rows of a batch; `ids` continues each table's numbering."""

    def __init__(self, rng: random.Random, today: date, staff: dict[int, list[int]]):
        self.rng, self.today, self.staff = rng, today, staff
        self.ids = {m: (db.session.scalar(sa.select(sa.func.max(m.id))) or 0) + 1 for m in MEDIATION_MODELS}
        self.mediators = [(m.id, m.organisation_id, m.organisation.name, m.user_id)
                          for m in db.session.scalars(sa.select(Mediator).where(Mediator.is_active.is_(True)))]
        self.reset()

    def reset(self) -> None:
        self.rows: dict[object, list[dict]] = {m: [] for m in MEDIATION_MODELS}
        self.rows[mediation_mediators] = []
        self.rows[mediation_organisations] = []
        self.events: list[dict] = []

    def _add(self, model, **values) -> int:
        row_id = self.ids[model]
        self.ids[model] += 1
        self.rows[model].append({"id": row_id, **values})
        return row_id

    def _event(self, sketch: CaseSketch, kind: EventKind, on: date, summary: str, hour: int = 10) -> None:
        # stored in UTC: Beijing hour - 8
        self.events.append({"case_id": sketch.case_id, "kind": kind.value, "summary": summary, "actor_id": None,
                            "occurred_at": datetime.combine(on, time(hour)) - timedelta(hours=8), "details": {}})

    def add(self, sketch: CaseSketch) -> None:
        if sketch.case_type == CaseType.MEDIATION:
            self._mediation(sketch)
        else:
            self._adjudication(sketch)

    def write(self, next_event_id: int) -> int:
        """Insert the batch; returns the next free event id."""
        for event in self.events:
            event["id"] = next_event_id
            next_event_id += 1
        for model, rows in [(CaseEvent, self.events), *self.rows.items()]:
            if rows:
                table = model if isinstance(model, sa.Table) else model.__table__
                db.session.execute(sa.insert(table), rows)
        self.reset()
        return next_event_id

    # --- mediation (SPEC §5) -------------------------------------------------
    def _pick_mediators(self, sketch: CaseSketch) -> list[tuple[int, int, str, int | None]]:
        """回避: never a mediator of the same organisation as a party or its agent."""
        parties = {p["name"] for p in sketch.parties}
        free = [m for m in self.mediators if m[2] not in sketch.agent_firms and m[2] not in parties]
        own = [m for m in free if m[3] == sketch.handler_id]  # the handling mediator's own registry entry
        others = [m for m in free if m[3] is None]
        wanted = self.rng.choice((0, 0, 1)) if own else self.rng.choice((1, 1, 2))
        return own + self.rng.sample(others, min(len(others), wanted))

    def _mediation(self, sketch: CaseSketch) -> None:
        rng, state, happened = self.rng, sketch.state, sketch.happened
        if state == CaseState.RECEIVED:
            return
        requested = happened[EventKind.CONSENT_REQUESTED]
        from casesys.adjudication.calendars import current_calendar
        from casesys.domain.calendar import Unit

        consent_due = current_calendar().add(requested, 15, Unit.CALENDAR).date  # SPEC §5 default
        started = happened.get(EventKind.MEDIATION_STARTED)
        agreed_on = happened.get(EventKind.AGREEMENT)
        failed_on = happened.get(EventKind.MEDIATION_FAILED)
        status = {CaseState.CONSENT_PENDING: MediationStatus.CONSENT_PENDING, CaseState.MEDIATING: MediationStatus.MEDIATING,
                  CaseState.FAILED: MediationStatus.FAILED}.get(state, MediationStatus.AGREED)
        refuser = next((p for p in sketch.parties if p["role"] != PartyRole.REQUESTER.value), None)
        mediation_id = self._add(
            Mediation, case_id=sketch.case_id, within_adjudication=False, status=status.value, requested_on=requested,
            request_served_on=requested, consent_due_on=consent_due, started_on=started, limit_days=30, extension_days=0, court_name="",
            court_reference="", ended_on=agreed_on or failed_on,
            failure_reason=f"{refuser['name']}拒绝调解" if failed_on else "",
            created_at=datetime.combine(requested, time(2)), version=1)
        for party in sketch.parties:
            requester = party["role"] == PartyRole.REQUESTER.value
            if requester:
                consent, on = Consent.AGREED, requested
            elif started:
                consent, on = Consent.AGREED, started
            elif failed_on:
                consent, on = (Consent.REFUSED, failed_on) if party is refuser else (Consent.PENDING, None)
            else:  # still asking: some have answered
                answered = rng.random() < 0.5
                on = requested + timedelta(days=rng.randint(0, max(0, (self.today - requested).days)))
                consent, on = (Consent.AGREED, on) if answered else (Consent.PENDING, None)
            self._add(MediationParty, mediation_id=mediation_id, party_id=party["id"], consent=consent.value,
                      consent_on=on)
        if not started:
            return
        mediators = self._pick_mediators(sketch)
        for mediator_id, _, _, _ in mediators:
            self.rows[mediation_mediators].append({"mediation_id": mediation_id, "mediator_id": mediator_id})
        for organisation_id in dict.fromkeys(m[1] for m in mediators):
            self.rows[mediation_organisations].append({"mediation_id": mediation_id, "organisation_id": organisation_id})
        end = agreed_on or self.today
        held_on = min(started + timedelta(days=rng.randint(2, 8)), end)
        place = f"{sketch.office_name}调解室"
        self._session(sketch, mediation_id, held_on, place, held=True, agreed=bool(agreed_on))
        if state == CaseState.MEDIATING:
            upcoming = self.today + timedelta(days=rng.randint(2, 14))
            self._session(sketch, mediation_id, upcoming, place, held=False, agreed=False)
        if agreed_on:
            self._agreement(sketch, mediation_id, agreed_on, [m[0] for m in mediators])

    def _session(self, sketch, mediation_id: int, on: date, place: str, *, held: bool, agreed: bool) -> None:
        rng = self.rng
        session_id = self._add(
            MediationSession, mediation_id=mediation_id, scheduled_at=datetime.combine(on, rng.choice(SESSION_TIMES)),
            place=place, online_link="", held=held,
            minutes=("各方陈述意见，调解员释明法律规定，各方就赔偿数额和停止侵权的方式协商。" if held else ""))
        if not held:
            return
        for party in sketch.parties:
            self._add(SessionAttendance, session_id=session_id, party_id=party["id"], attended=True)
        proposal_id = self._add(Proposal, session_id=session_id,
                                text="被申请人停止侵权并一次性支付赔偿金，申请人撤回其他请求。")
        for party in sketch.parties:
            position = Position.ACCEPT if agreed or party["role"] == PartyRole.REQUESTER.value else \
                rng.choice([Position.CONSIDER, Position.REJECT])
            self._add(ProposalPosition, proposal_id=proposal_id, party_id=party["id"], position=position.value,
                      note="")

    def _agreement(self, sketch: CaseSketch, mediation_id: int, on: date, mediator_ids: list[int]) -> None:
        rng = self.rng
        agreement_id = self._add(
            Agreement, mediation_id=mediation_id, partial=False, text="经调解，各方自愿达成如下协议：",
            concluded_on=on, effective_on=on, confirmation_applied_on=None, confirmation_court="",
            confirmation_result="", confirmation_result_on=None)
        requester = sketch.parties[0]
        debtors = [p for p in sketch.parties if p["role"] == PartyRole.RESPONDENT.value]
        closed = sketch.state == CaseState.CLOSED
        for debtor in debtors:
            for kind, amount, text in ((TermKind.MONEY, Decimal(rng.randint(2, 60) * 5000), "赔偿经济损失及合理开支"),
                                       (TermKind.STOP, None, "停止制造、销售涉案侵权产品")):
                due = on + timedelta(days=rng.randint(10, 45))
                done = None
                if closed or (due < self.today and rng.random() < 0.7):
                    done = min(due - timedelta(days=rng.randint(0, 5)), sketch.closed_on or self.today)
                    done = max(done, on)
                self._add(AgreementTerm, agreement_id=agreement_id, debtor_id=debtor["id"], creditor_id=requester["id"],
                          kind=kind.value, amount=amount, description=text, due_on=due, done_on=done,
                          proof="银行转账凭证" if done and amount else "")
        signed = datetime.combine(on, time(3))  # 11:00 Beijing
        for party in sketch.parties:
            self._add(Signature, agreement_id=agreement_id, party_id=party["id"], mediator_id=None, signed_at=signed,
                      recorded_by_id=sketch.handler_id)
        for mediator_id in mediator_ids:
            self._add(Signature, agreement_id=agreement_id, party_id=None, mediator_id=mediator_id, signed_at=signed,
                      recorded_by_id=sketch.handler_id)

    # --- adjudication (SPEC §3, §4) --------------------------------------------
    def _adjudication(self, sketch: CaseSketch) -> None:
        rng, state, happened = self.rng, sketch.state, sketch.happened
        served = happened.get(EventKind.SERVED)
        if served is None:
            return
        heard_on = happened.get(EventKind.HEARING)
        ordinary = sketch.procedure == Procedure.ORDINARY
        if ordinary and (heard_on or state == CaseState.HEARING or rng.random() < 0.5):
            self._panel(sketch, served + timedelta(days=1))
        place = f"{sketch.office_name}第{rng.choice('一二三')}审理庭"
        if heard_on:
            at = datetime.combine(heard_on, rng.choice(SESSION_TIMES))
            self._add(Hearing, case_id=sketch.case_id, scheduled_at=at, place=place,
                      notice_served_on=heard_on - timedelta(days=7), held=True, requester_attended=True,
                      respondent_attended=rng.random() < 0.9, absence_excused=False,
                      notes="双方当事人到庭陈述意见并质证。")
        elif state == CaseState.HEARING and rng.random() < 0.7:
            answered = happened.get(EventKind.ANSWERED, served)
            on = max(self.today + timedelta(days=rng.randint(5, 20)), answered + timedelta(days=7))
            notice = min(self.today, on - timedelta(days=7))
            self._add(Hearing, case_id=sketch.case_id, scheduled_at=datetime.combine(on, rng.choice(SESSION_TIMES)),
                      place=place, notice_served_on=notice, held=False, requester_attended=None,
                      respondent_attended=None, absence_excused=False, notes="")
            self._event(sketch, EventKind.HEARING_SCHEDULED, notice, f"安排口头审理：{on.isoformat()} {place}")

    def _panel(self, sketch: CaseSketch, on: date) -> None:
        """SPEC §3: at least three handlers, an odd number, one presiding."""
        staff = [u for u in self.staff.get(sketch.office_id, []) if u != sketch.handler_id]
        if len(staff) < 2:
            return
        members = [sketch.handler_id, *self.rng.sample(staff, 2)]
        for index, user_id in enumerate(members):
            self._add(PanelMember, case_id=sketch.case_id, user_id=user_id, presiding=index == 0)
        self._event(sketch, EventKind.PANEL_SET, min(on, self.today), "组成合议组（三人，承办人任审理长）")
