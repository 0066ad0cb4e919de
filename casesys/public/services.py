"""Publication (SPEC §7): anonymised rulings and typical cases go on the
public site after a supervisor's approval, and come off it the same way.
What is published is fixed at approval: the anonymised content and PDF.
Functions flush; callers commit."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.auth.models import Office, User
from casesys.cases.models import Case, CasePatent, Patent
from casesys.cases.services import record_event
from casesys.core import clock
from casesys.core.inputs import calendar_year, optional_id, parsed_or_none
from casesys.credit.models import CreditRecord
from casesys.credit.services import public_records_clause
from casesys.documents.formatting import chinese_date
from casesys.documents.models import Document
from casesys.documents.services import person_names, publication_pdf
from casesys.domain.anonymise import anonymise, mask_address, mask_person_name
from casesys.domain.credit import CreditEvent
from casesys.domain.enums import CaseState, PartyKind, PartyRole, PatentType
from casesys.domain.publication import PUBLICATION, PublicationMove, PublicationRefused
from casesys.domain.search import drop_control_chars
from casesys.extensions import db
from casesys.public.models import Publication

CONCLUDED = (CaseState.DECIDED, CaseState.SERVED_DECISION, CaseState.AGREED, CaseState.CLOSED)
OUTCOMES = {"infringement": "侵权成立，责令停止侵权行为", "dismissed": "驳回请求"}


def _masker(case: Case):
    names, addresses = person_names(case), [p.address for p in case.parties]
    return lambda text: anonymise(text or "", person_names=names, addresses=addresses)


def _public_party(party) -> dict:
    """SPEC §7: persons masked (name, no ID number, no phone, address cut to
    the district); organisations named with their credit code."""
    person = party.kind == PartyKind.PERSON
    return {
        "role": party.role_label, "person": person,
        "name": mask_person_name(party.name) if person else party.name,
        "code": "" if person else (party.credit_code or ""),
        "address": mask_address(party.address) if person else party.address,
        "legal_representative": mask_person_name(party.legal_representative) if party.legal_representative else "",
        "agents": [{"name": mask_person_name(a.name), "firm": a.firm, "authority": a.authority.label}
                   for a in party.agents],
    }


def _names(parties: list[dict], role: str) -> str:
    return "、".join(p["name"] for p in parties if p["role_key"] == role)


def _case_content(case: Case) -> dict:
    parties = [_public_party(p) | {"role_key": p.role.value} for p in case.parties]
    requesters, respondents = _names(parties, PartyRole.REQUESTER.value), _names(parties, PartyRole.RESPONDENT.value)
    return {
        "case_number": case.number, "office": case.office.name, "parties": parties,
        "requesters": requesters, "respondents": respondents,
        "patents": [{"number": cp.patent.number, "title": cp.patent.title, "type": cp.patent.patent_type.label}
                    for cp in case.case_patents],
        "procedure": case.procedure.label if case.procedure else "",
        "outcome": OUTCOMES.get(case.decision_outcome or "", ""),
    }


def _patent_types(case: Case) -> str:
    return ",".join(sorted({cp.patent.patent_type.value for cp in case.case_patents}))


def _search_text(content: dict, *texts: str) -> str:
    parts = [content.get("case_number", ""), content.get("number", ""), content.get("office", ""),
             content.get("requesters", ""), content.get("respondents", "")]
    parts += [f"{p['number']} {p['title']}" for p in content.get("patents", [])]
    return "\n".join(filter(None, parts + list(texts)))


def ruling_problem(document: Document) -> str | None:
    """Why a ruling cannot be published, or None (SPEC §7, §8)."""
    if document.doc_type != "ruling":
        return "只有行政裁决书可以公开"
    if not document.frozen:
        return "裁决书尚未签发，不能公开"
    if db.session.scalar(sa.select(Document.id).where(Document.corrects_id == document.id).limit(1)):
        return "该裁决书已有补正文书，应公开补正后的裁决书"
    if db.session.scalar(sa.select(Publication.id).where(Publication.document_id == document.id,
                                                         Publication.state.in_(("pending", "published")))):
        return "该裁决书已公开或正在审批"
    return None


def request_ruling_publication(document: Document, *, actor: User) -> Publication:
    if problem := ruling_problem(document):
        raise PublicationRefused(problem)
    case = document.case
    mask = _masker(case)
    content = _case_content(case)
    texts = {key: mask(value) for key, value in document.texts.items()}
    content.update(number=document.number, issued=chinese_date(document.issued_on), texts=texts,
                   received=chinese_date(case.received_on), accepted=chinese_date(case.accepted_on),
                   corrects=document.corrects.number if document.corrects else "")
    title = f"{content['requesters']}与{content['respondents']}专利侵权纠纷行政裁决书"
    publication = Publication(
        slug=secrets.token_urlsafe(12), kind="ruling", case_id=case.id, document_id=document.id,
        office_id=case.office_id, title=title[:300], year=document.issued_on.year, patent_types=_patent_types(case),
        content=content, search_text=_search_text(content, title, *texts.values()), requested_by_id=actor.id)
    return _requested(publication, case, actor)


def request_typical_case(case: Case, *, title: str, summary: str, actor: User) -> Publication:
    """SPEC §7: a supervisor writes a summary and picks a concluded case."""
    if case.state not in CONCLUDED:
        raise PublicationRefused("只有已作出裁决或已结案的案件可以作为典型案例")
    if not title.strip() or not summary.strip():
        raise PublicationRefused("请填写典型案例的标题和案情摘要")
    mask = _masker(case)
    content = _case_content(case) | {"summary": mask(summary.strip())}
    year = (case.closed_on or case.decided_on or case.received_on).year
    publication = Publication(
        slug=secrets.token_urlsafe(12), kind="typical", case_id=case.id, office_id=case.office_id,
        title=mask(title.strip())[:300], year=year, patent_types=_patent_types(case), content=content,
        search_text=_search_text(content, mask(title), content["summary"]), requested_by_id=actor.id)
    return _requested(publication, case, actor)


def _requested(publication: Publication, case: Case, actor: User) -> Publication:
    publication.case = case
    db.session.add(publication)
    record_event(case, CreditEvent.PUBLICATION, f"提请公开{publication.kind_label}：{publication.title}", actor=actor)
    db.session.flush()
    return publication


def approve_publication(publication: Publication, *, actor: User) -> None:
    """The supervisor's approval puts it on the public site (SPEC §7)."""
    state = PUBLICATION.next(publication.state, PublicationMove.APPROVE)
    if publication.kind == "ruling":
        document = publication.document
        if not document.frozen:  # re-checked: the ruling may have changed since the request
            raise PublicationRefused("裁决书尚未签发，不能公开")
        if db.session.scalar(sa.select(Document.id).where(Document.corrects_id == document.id).limit(1)):
            raise PublicationRefused("该裁决书已有补正文书，应公开补正后的裁决书")
        publication.pdf = publication_pdf(document)
    publication.state, publication.approved_by_id, publication.published_at = state, actor.id, clock.utcnow()
    record_event(publication.case, CreditEvent.PUBLICATION, f"批准公开{publication.kind_label}：{publication.title}",
                 actor=actor)
    db.session.flush()


def return_publication(publication: Publication, *, actor: User, comment: str) -> None:
    state = PUBLICATION.next(publication.state, PublicationMove.RETURN)
    if not comment.strip():
        raise PublicationRefused("退回时请说明理由")
    publication.state, publication.note = state, comment.strip()[:500]
    record_event(publication.case, CreditEvent.PUBLICATION, f"退回公开申请：{publication.title}。{comment}", actor=actor)
    db.session.flush()


def withdraw_publication(publication: Publication, *, actor: User, reason: str) -> None:
    """Off the public site; its address answers 410 from now on (SPEC §7)."""
    state = PUBLICATION.next(publication.state, PublicationMove.WITHDRAW)
    if not reason.strip():
        raise PublicationRefused("撤回时请说明理由")
    publication.state, publication.note = state, reason.strip()[:500]
    publication.withdrawn_by_id, publication.withdrawn_at = actor.id, clock.utcnow()
    record_event(publication.case, CreditEvent.PUBLICATION, f"撤回公开的{publication.kind_label}：{reason}", actor=actor)
    db.session.flush()


# --- the public site's search -----------------------------------------------------------

@dataclass(frozen=True)
class PublicQuery:
    q: str = ""
    year: int | None = None
    office: str = ""          # the office's code, never its id
    patent_type: str = ""
    kind: str = ""            # ruling | typical | dishonesty | "" (all)
    page: int = 1

    @classmethod
    def from_args(cls, args) -> PublicQuery:
        """Whatever comes in, a valid query: unknown values are dropped."""
        q = drop_control_chars(str(args.get("q", "")))[:50].strip()
        year = parsed_or_none(calendar_year)(args.get("year"))
        office = str(args.get("office", ""))[:32]
        patent_type = args.get("patent_type", "")
        kind = args.get("kind", "")
        page = optional_id(args.get("page")) or 1
        return cls(
            q=q, year=year,
            office=office if office and db.session.scalar(sa.select(Office.id).where(Office.code == office)) else "",
            patent_type=patent_type if patent_type in PatentType._value2member_map_ else "",
            kind=kind if kind in ("ruling", "typical", "dishonesty") else "",
            page=min(page, 500))


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_publications(query: PublicQuery, *, per_page: int = 20) -> tuple[list[Publication], int]:
    stmt = sa.select(Publication).where(Publication.state == "published")
    if query.kind in ("ruling", "typical"):
        stmt = stmt.where(Publication.kind == query.kind)
    if query.q:
        stmt = stmt.where(Publication.search_text.like(_like(query.q), escape="\\"))
    if query.year:
        stmt = stmt.where(Publication.year == query.year)
    if query.office:
        stmt = stmt.join(Office, Publication.office_id == Office.id).where(Office.code == query.office)
    if query.patent_type:
        stmt = stmt.where(Publication.patent_types.like(_like(query.patent_type), escape="\\"))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.order_by(Publication.published_at.desc(), Publication.id.desc())
                               .limit(per_page).offset((query.page - 1) * per_page)).all()
    return list(items), total


def search_dishonesty(query: PublicQuery, *, today: date, per_page: int = 20) -> tuple[list[CreditRecord], int]:
    """Typical dishonesty cases (SPEC §7): confirmed, told, past the objection
    period, within the publication period."""
    stmt = sa.select(CreditRecord).join(Case, CreditRecord.case_id == Case.id).where(public_records_clause(today))
    if query.q:
        pattern = _like(query.q)
        # A person is found only under the masked name the page shows.
        stmt = stmt.where(sa.or_(
            sa.and_(CreditRecord.subject_kind == PartyKind.ORGANISATION,
                    CreditRecord.subject_name.like(pattern, escape="\\")),
            CreditRecord.public_text.like(pattern, escape="\\"), Case.number.like(pattern, escape="\\")))
    if query.year:
        stmt = stmt.where(CreditRecord.notified_on >= date(query.year, 1, 1),
                          CreditRecord.notified_on <= date(query.year, 12, 31))
    if query.office:
        stmt = stmt.join(Office, Case.office_id == Office.id).where(Office.code == query.office)
    if query.patent_type:
        stmt = stmt.where(sa.exists(sa.select(CasePatent.id).join(Patent, CasePatent.patent_id == Patent.id)
                                    .where(CasePatent.case_id == Case.id, Patent.patent_type == query.patent_type)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.order_by(CreditRecord.objection_due_on.desc(), CreditRecord.id.desc())
                               .limit(per_page).offset((query.page - 1) * per_page)).all()
    return list(items), total


def public_name(record: CreditRecord) -> str:
    return mask_person_name(record.subject_name) if record.subject_kind == PartyKind.PERSON else record.subject_name


def published_ruling_of(case_id: int) -> Publication | None:
    return db.session.scalar(sa.select(Publication).where(Publication.case_id == case_id, Publication.kind == "ruling",
                                                          Publication.state == "published")
                             .order_by(Publication.id.desc()).limit(1))


def public_offices() -> list[tuple[str, str]]:
    return db.session.execute(sa.select(Office.code, Office.name).where(Office.is_partner.is_(False))
                              .order_by(Office.id)).all()
