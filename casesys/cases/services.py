"""Case register operations (SPEC §2). They change objects, record timeline
events and flush; the caller commits once."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

import sqlalchemy as sa

from casesys.auth.models import Office, User
from casesys.cases.models import (
    Agent,
    Case,
    CaseEvent,
    CasePatent,
    Evidence,
    Party,
    Patent,
)
from casesys.cases.storage import StoredFile
from casesys.core.clock import utcnow
from casesys.core.database import built_once, next_in_sequence
from casesys.core.registry import Hook
from casesys.core.settings import get_setting
from casesys.domain.codes import parse_patent_number
from casesys.domain.enums import AgentAuthority, CaseState, CaseType, PartyKind, PartyRole, Procedure
from casesys.domain.errors import Refused
from casesys.domain.events import EventKind
from casesys.domain.numbering import format_number
from casesys.domain.search import build_search_text, search_grams
from casesys.extensions import db

CASE_FIELDS = ("title", "requests", "accused_products", "infringing_acts", "places",
               "facts_and_reasons", "dispute_kind")
PARTY_FIELDS = ("kind", "name", "id_number", "credit_code", "address", "phone",
                "legal_representative", "enterprise_type")
PATENT_FIELDS = ("patent_type", "title", "patentee", "filed_on", "granted_on",
                 "legal_status", "evaluation")


#: A case just registered: the features above the register build on it
#: (the procedure computes its deadlines). Filled at app creation.
case_registered = Hook("case_registered")
#: After a change of a case's parties or agents: warnings for the user, each a
#: sentence (回避 of a mediator, SPEC §5). Filled at app creation.
party_warnings = Hook("party_warnings")


class ConcurrentEdit(Refused):
    """The case changed since the user loaded it (SPEC: nothing silently lost)."""

    message = "该案件已被他人修改，请查看最新内容后再保存。您填写的内容仍保留在表单中。"

    def __init__(self, message: str = ""):
        super().__init__(message or self.message)


@dataclass
class PartyData:
    role: PartyRole
    values: dict[str, Any]
    agent: dict[str, Any] | None = None


@dataclass
class PatentData:
    number: str
    claims: str
    values: dict[str, Any]


@dataclass
class EvidenceData:
    stored: StoredFile
    values: dict[str, Any] = field(default_factory=dict)


def record_event(case: Case, kind: EventKind, summary: str, *, actor: User | None,
                 **details) -> CaseEvent:
    event = CaseEvent(case=case, kind=kind.value, summary=summary, actor=actor, details=details)
    db.session.add(event)
    return event


def assign_case_number(office: Office, case_type: CaseType, year: int) -> str:
    """SPEC §2: per office, type and year; the format is a setting."""
    seq = next_in_sequence(office.id, f"case:{case_type.value}", year)
    return format_number(
        get_setting("case_number_format"),
        prefix=office.case_prefix,
        type_word=get_setting(f"case_type_word_{case_type.value}"),
        year=year, seq=seq,
    )


def refresh_search_text(case: Case) -> None:
    """The text the search box matches, and its pairs of characters for the index."""
    case.search_text = build_search_text(
        case.number,
        [(p.name, p.credit_code or p.id_number) for p in case.parties],
        [cp.patent.number for cp in case.case_patents],
        agents=[(a.name, a.firm) for p in case.parties for a in p.agents],
        patent_titles=[cp.patent.title for cp in case.case_patents],
    )
    case.search_grams = search_grams(case.search_text)


def _add_party(case: Case, data: PartyData, position: int) -> Party:
    party = Party(role=data.role, position=position,
                  **{k: data.values.get(k) for k in PARTY_FIELDS})
    _clear_foreign_code(party)
    case.parties.append(party)
    if data.agent and data.agent.get("name"):
        party.agents.append(Agent(case=case, **data.agent))
    return party


def _clear_foreign_code(party: Party) -> None:
    """A person has no credit code, an organisation no resident ID."""
    if party.kind == PartyKind.PERSON:
        party.credit_code = None
    else:
        party.id_number = None
    party.id_number = party.id_number or None
    party.credit_code = party.credit_code or None


def find_or_create_patent(data: PatentData) -> Patent:
    number = parse_patent_number(data.number).display
    patent = db.session.scalar(sa.select(Patent).where(Patent.number == number))
    if patent is None:
        patent = Patent(number=number, **{k: data.values.get(k) for k in PATENT_FIELDS})
        db.session.add(patent)
    else:  # the newest filing knows the patent's current status best
        for key in PATENT_FIELDS:
            if data.values.get(key) is not None:
                setattr(patent, key, data.values[key])
    return patent


def register_case(
    *, case_type: CaseType, office: Office, actor: User, received_on: date,
    fields: dict[str, Any], parties: list[PartyData], patents: list[PatentData],
    evidence: list[EvidenceData] = (),
) -> Case:
    """Log a request for adjudication or mediation with its parties, patents
    and evidence; assign its number."""
    case = Case(
        case_type=case_type,
        procedure=Procedure.ORDINARY if case_type == CaseType.ADJUDICATION else None,
        state=CaseState.RECEIVED,
        office=office,
        received_on=received_on,
        handler=actor,
        created_by=actor,
        number=assign_case_number(office, case_type, received_on.year),
        **{k: fields.get(k) for k in CASE_FIELDS if fields.get(k) is not None},
    )
    db.session.add(case)
    positions: dict[PartyRole, int] = {}
    for data in parties:
        positions[data.role] = positions.get(data.role, 0) + 1
        _add_party(case, data, positions[data.role])
    for data in patents:
        case.case_patents.append(CasePatent(patent=find_or_create_patent(data), claims=data.claims))
    db.session.flush()
    for item in evidence:
        add_evidence(case, item, actor=actor, quiet=True)
    refresh_search_text(case)
    record_event(case, EventKind.REGISTERED, f"登记{case_type.label}请求，案号 {case.number}",
                 actor=actor)
    case_registered(case)
    db.session.flush()
    return case


def check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is None or int(expected_version) != case.version:
        raise ConcurrentEdit


def update_case(case: Case, *, expected_version: int, fields: dict[str, Any],
                handler: User | None, actor: User) -> None:
    check_version(case, expected_version)
    changed = [k for k in CASE_FIELDS if k in fields and getattr(case, k) != fields[k]]
    for key in changed:
        setattr(case, key, fields[key])
    if handler is not None and handler != case.handler:
        case.handler = handler
        changed.append("handler")
    if changed:
        record_event(case, EventKind.EDITED, "修改案件信息", actor=actor, fields=changed)
    db.session.flush()


AGENT_FIELDS = ("name", "firm", "phone", "authority")


def _agent_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {k: row.get(k) or "" for k in AGENT_FIELDS}
    values["authority"] = AgentAuthority(values["authority"] or AgentAuthority.GENERAL)
    return values


def sync_agents(party: Party, agents: list[dict[str, Any]]) -> list[str]:
    """Make the party's 委托代理人 the given rows: a row with the id of an
    existing agent updates it, one without adds an agent, an existing agent
    not among the rows is removed. Returns what changed, for the timeline;
    the audit hook logs each row."""
    existing = {a.id: a for a in party.agents}
    kept: set[int] = set()
    changes: list[str] = []
    for row in agents:
        agent = existing.get(row.get("id"))
        if agent is None:
            party.agents.append(Agent(case=party.case, **_agent_values(row)))
            changes.append(f"增加代理人{row['name']}")
            continue
        kept.add(agent.id)
        values = _agent_values(row)
        if any(getattr(agent, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(agent, key, value)
            changes.append(f"修改代理人{agent.name}")
    for agent_id, agent in existing.items():
        if agent_id not in kept:
            party.agents.remove(agent)
            db.session.delete(agent)
            changes.append(f"删除代理人{agent.name}")
    return changes


def update_party(party: Party, *, expected_version: int, values: dict[str, Any],
                 actor: User, agents: list[dict[str, Any]] | None = None) -> None:
    case = party.case
    check_version(case, expected_version)
    for key in PARTY_FIELDS:
        setattr(party, key, values.get(key))
    _clear_foreign_code(party)
    agent_changes = sync_agents(party, agents) if agents is not None else []
    refresh_search_text(case)
    case.updated_at = utcnow()  # a party change is a new version of the case
    record_event(case, EventKind.PARTY_EDITED,
                 f"修改{party.role_label}“{party.name}”的信息" + (f"（{'、'.join(agent_changes)}）" if agent_changes else ""),
                 actor=actor, party_id=party.id)
    db.session.flush()


def add_party(case: Case, data: PartyData, *, expected_version: int, actor: User,
              agents: list[dict[str, Any]] = ()) -> Party:
    """SPEC §2: a party joined after registration (a 第三人, a further
    respondent); it takes the next position of its side."""
    check_version(case, expected_version)
    position = max((p.position for p in case.parties if p.role == data.role), default=0) + 1
    party = _add_party(case, data, position)
    sync_agents(party, [dict(a, id=None) for a in agents])
    refresh_search_text(case)
    case.updated_at = utcnow()
    db.session.flush()
    record_event(case, EventKind.PARTY_ADDED, f"追加{party.role_label}“{party.name}”", actor=actor,
                 party_id=party.id)
    db.session.flush()
    return party


def add_evidence(case: Case, item: EvidenceData, *, actor: User, quiet: bool = False) -> Evidence:
    evidence = Evidence(
        case=case, sha256=item.stored.sha256, filename=item.stored.filename,
        content_type=item.stored.content_type, size=item.stored.size,
        uploaded_by_id=actor.id, **item.values,
    )
    db.session.add(evidence)
    if not quiet:
        record_event(case, EventKind.EVIDENCE_ADDED, f"提交证据：{evidence.description}",
                     actor=actor)
    db.session.flush()
    return evidence


def credit_codes(case: Case) -> tuple[str, ...]:
    return tuple(sorted({p.credit_code for p in case.parties if p.credit_code}))


def cases_by_codes(codes: tuple[str, ...], case_id: int) -> dict[str, int]:
    """SPEC §2: the same organisation is recognised across cases by its credit
    code — how many cases other than `case_id` each of `codes` appears in."""
    if not codes:
        return {}
    return dict(db.session.execute(_cases_by_code_statement(), {"codes": list(codes), "case_id": case_id}).all())


@built_once
def _cases_by_code_statement() -> sa.Select:
    return (sa.select(Party.credit_code, sa.func.count(sa.distinct(Party.case_id)))
            .where(Party.credit_code.in_(sa.bindparam("codes", expanding=True)),
                   Party.case_id != sa.bindparam("case_id"))
            .group_by(Party.credit_code))


def record_cross_examination(evidence: Evidence, opinion: str, *, actor: User) -> None:
    evidence.cross_examination = opinion
    record_event(evidence.case, EventKind.EVIDENCE_ADDED, f"记录质证意见：{evidence.description}", actor=actor)
    db.session.flush()


def upload_limit() -> int:
    """SPEC §2: the per-file limit, an administrator's setting in MB."""
    return int(get_setting("upload_max_mb")) * 1024 * 1024


def store_checked_upload(stream: BinaryIO, filename: str) -> StoredFile:
    """Check then store; raises UploadRejected before anything is written."""
    from casesys.cases.storage import check_upload, save_upload

    return save_upload(stream, filename, check_upload(stream, filename, upload_limit()))


def possible_duplicates(case_type: CaseType, parties: list[PartyData], patent_numbers: list[str]) -> list[Case]:
    """Issue 16.19: an open case of the same type with a requester and a
    respondent of the same codes (or names) and, where patents are given, one
    of the same patents — probably the same dispute registered twice."""
    from casesys.domain.enums import OPEN_STATES

    def keys(role: PartyRole) -> set[str]:
        return {(d.values.get("credit_code") or d.values.get("id_number") or d.values.get("name") or "").strip()
                for d in parties if d.role == role} - {""}

    requesters, respondents = keys(PartyRole.REQUESTER), keys(PartyRole.RESPONDENT)
    if not requesters or not respondents:
        return []

    def side(role: PartyRole, wanted: set[str]):
        return sa.select(Party.case_id).where(Party.role == role, sa.or_(
            Party.credit_code.in_(wanted), Party.id_number.in_(wanted), Party.name.in_(wanted)))

    query = sa.select(Case).where(Case.case_type == case_type, Case.state.in_(OPEN_STATES),
                                  Case.id.in_(side(PartyRole.REQUESTER, requesters)),
                                  Case.id.in_(side(PartyRole.RESPONDENT, respondents)))
    numbers = [parse_patent_number(n).display for n in patent_numbers if n and parse_patent_number(n)]
    if numbers:
        query = query.where(Case.id.in_(sa.select(CasePatent.case_id).join(Patent, CasePatent.patent_id == Patent.id)
                                        .where(Patent.number.in_(numbers))))
    return list(db.session.scalars(query.order_by(Case.id).limit(5)))
