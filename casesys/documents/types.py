"""The documents of SPEC §8: what each needs from the case, its editable
text parts with their default wording, its template and number word."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from casesys.adjudication.rules import current_rules
from casesys.adjudication.services import deadline_facts
from casesys.core.timefmt import local_datetime
from casesys.documents import ruling
from casesys.documents.formatting import doc_date, doc_datetime
from casesys.domain.enums import CaseState, CaseType, PartyRole
from casesys.domain.workflow import ClosingType
from casesys.mediation.models import Agreement, Mediation


@dataclass(frozen=True)
class DocType:
    key: str
    title: str
    number_word: str
    template: str
    ready: Callable[[object], str | None]
    texts: tuple[tuple[str, str], ...] = ()
    defaults: Callable[[object], dict[str, str]] = field(default=lambda case: {})
    # Whom the document is addressed to, where it is not the requesters.
    addressee: Callable[[object], str] | None = None
    #: What the template needs beyond the case (the mediation record, the hearing).
    context: Callable[[object], dict] = field(default=lambda case: {})
    #: SPEC §8: the sections that must not be empty at submission; None: every text.
    required: tuple[str, ...] | None = None
    #: Rulings and agreements run long: their sections have the larger ceiling (issue 11).
    long_texts: bool = False

    @property
    def text_limit_setting(self) -> str:
        return "long_text_max_chars" if self.long_texts else "document_text_max_chars"

    def required_texts(self) -> list[tuple[str, str]]:
        return [(k, label) for k, label in self.texts if self.required is None or k in self.required]


def _names(case, role: PartyRole) -> str:
    return "、".join(p.name for p in case.parties_in(role))


def _patents(case) -> str:
    return "、".join(f"{cp.patent.number}号“{cp.patent.title}”{cp.patent.patent_type.label}专利" for cp in case.case_patents)


def _setting(key: str) -> str:
    from casesys.core.settings import get_setting

    return get_setting(key)


def _answer_period(case) -> str:
    """Issue 9.3: the period actually applied to this case (15 days, or 10 if
    shortened in the simplified procedure), from the rule row."""
    from casesys.documents.formatting import chinese_number
    from casesys.domain.deadlines import answer_rule_key

    rule = current_rules()[answer_rule_key(deadline_facts(case))]
    return chinese_number(rule.amount) + ("个工作日" if rule.unit.value == "working" else rule.unit.label)


def _confirmation_days() -> str:
    """Issue 9.3: the window for 司法确认 as the setting says (default 30 days)."""
    from casesys.documents.formatting import chinese_number

    return chinese_number(int(_setting("judicial_confirmation_days"))) + "日"


def needs(condition: Callable[[object], bool], message: str) -> Callable[[object], str | None]:
    return lambda case: None if condition(case) else message


def _suspension(case):
    return next((s for s in reversed(case.clock_stops) if s.kind == "suspension"), None)


def _effective_agreement(case):
    import sqlalchemy as sa

    from casesys.extensions import db

    return db.session.scalar(sa.select(Agreement).join(Mediation).where(
        Mediation.case_id == case.id, Agreement.effective_on.is_not(None)).order_by(Agreement.id.desc()).limit(1))


NUMERALS = "一二三四五六七八九十"
AGREEMENT_LEAD = "经调解，各方自愿达成如下协议："


def _term_line(index: int, term) -> str:
    label = NUMERALS[index] if index < len(NUMERALS) else str(index + 1)
    due = doc_date(term.due_on)
    if term.amount is not None:
        what = f"于{due}前向{term.creditor.name}支付人民币{term.amount:,.2f}元" + (
            f"（{term.description}）" if term.description else "")
    else:
        what = f"于{due}前{term.kind.label}：{term.description}"
    return f"{label}、{term.debtor.name}{what}。"


def _agreement_text(case) -> str:
    """The agreed terms, once: the lead-in, each term of the record, and the
    mediator's own wording only where it adds to them."""
    agreement = _effective_agreement(case)
    if agreement is None:
        return AGREEMENT_LEAD + "\n一、"
    lines = [AGREEMENT_LEAD]
    lines += [_term_line(i, term) for i, term in enumerate(agreement.terms)]
    extra = (agreement.text or "").strip()
    if extra and extra.rstrip("：:") not in {AGREEMENT_LEAD.rstrip("："), "经本机关主持调解，各方自愿达成如下协议"}:
        label = NUMERALS[len(agreement.terms)] if len(agreement.terms) < len(NUMERALS) else str(len(agreement.terms) + 1)
        lines.append(f"{label}、{extra}")
    return "\n".join(lines)


def _agreement_context(case) -> dict:
    agreement = _effective_agreement(case)
    mediation = agreement.mediation if agreement else None
    signed = {}
    if agreement:
        for signature in agreement.signatures:
            signed[("party", signature.party_id) if signature.party_id else ("mediator", signature.mediator_id)] = \
                date.fromisoformat(local_datetime(signature.signed_at, "%Y-%m-%d"))  # stored UTC, signed in Beijing
    return {"agreement": agreement, "mediation": mediation, "signed": signed,
            "mediators": list(mediation.mediators) if mediation else [],
            "organisations": list(mediation.organisations) if mediation else []}


def _dispute_text(case) -> str:
    context = _agreement_context(case)
    mediation = context["mediation"]
    organisations = "、".join(o.name for o in context["organisations"]) or case.office.name
    started = f"自{doc_date(mediation.started_on)}起" if mediation and mediation.started_on else ""
    requests = case.requests.strip()
    requests += "" if requests.endswith(("。", "；", ";", ".")) else "。"
    return (f"{_names(case, PartyRole.REQUESTER)}与{_names(case, PartyRole.RESPONDENT)}{case.dispute_kind.label}一案，"
            f"{_names(case, PartyRole.REQUESTER)}于{doc_date(case.received_on)}申请调解，请求：{requests}"
            f"经各方当事人同意，{organisations}{started}主持调解。")


AGREEMENT_PERFORMANCE = (
    "各方当事人应当按照本协议约定的期限和方式全面履行。一方不履行或者不完全履行的，另一方可以就履行事项向人民法院提起诉讼。\n"
    "本协议由依法设立的调解组织主持达成。各方当事人可以自本协议生效之日起三十日内，共同向有管辖权的人民法院申请司法确认"
    "（《中华人民共和国人民调解法》第三十三条、《中华人民共和国民事诉讼法》第二百零五条）；人民法院依法确认调解协议有效，"
    "一方拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。")


def _performance_text() -> str:
    """Issue 9.3: the window for 司法确认 as the setting says, not a constant."""
    return AGREEMENT_PERFORMANCE.replace("三十日内", _confirmation_days() + "内")


def _hearing_text(case) -> str:
    """SPEC §3: time, place, the panel (or the one handler), and what absence means."""
    if not case.hearings:
        return ""
    hearing = case.hearings[-1]
    dispute = f"{_names(case, PartyRole.REQUESTER)}与{_names(case, PartyRole.RESPONDENT)}专利侵权纠纷一案"
    if case.panel:
        presiding = [m.user.full_name for m in case.panel if m.presiding]
        others = [m.user.full_name for m in case.panel if not m.presiding]
        panel = f"合议组由{'、'.join(presiding)}（审理长）、{'、'.join(others)}组成。"
    else:
        panel = f"本案适用{case.procedure.label if case.procedure else '普通程序'}，由{case.handler.full_name if case.handler else '承办人'}审理。"
    return (f"本机关定于{doc_datetime(hearing.scheduled_at)}在{hearing.place}对{dispute}进行口头审理。{panel}"
            "当事人认为审理人员与本案有利害关系的，可以在口头审理开始前申请回避。\n"
            "请当事人携带身份证明、授权委托书及证据原件准时到场。\n"
            "请求人无正当理由拒不参加口头审理，或者未经许可中途退出的，按撤回请求处理；"
            "被请求人无正当理由拒不参加口头审理，或者未经许可中途退出的，本机关可以缺席审理。")


def _mediated(case) -> bool:
    return case.state == CaseState.AGREED or case.closing_type == ClosingType.MEDIATED.value


ADJUDICATION_ONLY = "仅行政裁决案件有此文书"


def _accepted(case) -> bool:
    return case.case_type == CaseType.ADJUDICATION and case.accepted_on is not None


DOC_TYPES: dict[str, DocType] = {t.key: t for t in (
    DocType("acceptance_notice", "受理通知书", "受", "notice.html",
            needs(_accepted, "案件尚未受理，不能制作受理通知书"),
            (("body", "正文"),),
            lambda c: {"body": f"你（单位）与{_names(c, PartyRole.RESPONDENT)}专利侵权纠纷一案，请求书及有关材料收悉。"
                               f"经审查，该请求符合受理条件，本机关决定立案受理，"
                               f"适用{c.procedure.label if c.procedure else '普通程序'}审理。\n\n"
                               "请你（单位）按时参加口头审理等活动，并如实陈述、提供证据。"}),
    DocType("rejection_notice", "不予受理通知书", "不受", "notice.html",
            needs(lambda c: c.state == CaseState.NOT_ACCEPTED, "案件未作出不予受理决定"),
            (("body", "正文（不予受理的理由）"),),
            lambda c: {"body": f"你（单位）与{_names(c, PartyRole.RESPONDENT)}{c.dispute_kind.label}一案的处理请求收悉。"
                               f"经审查，该请求不符合受理条件，{_setting('basis_rejection_notice')}，本机关决定不予受理。"
                               "\n\n理由："}),
    DocType("answer_notice", "答辩通知书", "答", "notice.html",
            needs(_accepted, "案件尚未受理，不能制作答辩通知书"),
            (("body", "正文"),),
            lambda c: {"body": f"{_names(c, PartyRole.REQUESTER)}请求处理与你（单位）之间的{c.dispute_kind.label}一案，"
                               "本机关已立案受理。现将请求书副本及有关证据材料送达你（单位），"
                               f"{_setting('basis_answer_notice')}，请在收到之日起{_answer_period(c)}内"
                               "提交答辩书一式两份及有关证据。逾期不提交答辩书的，不影响本机关审理。"}),
    DocType("hearing_notice", "口头审理通知书", "审", "hearing_notice.html",
            needs(lambda c: bool(c.hearings), "尚未安排口头审理"),
            (("body", "正文"),),
            lambda c: {"body": _hearing_text(c)}),
    DocType("suspension_notice", "中止审理通知书", "中", "notice.html",
            needs(lambda c: _suspension(c) is not None, "案件未中止审理"),
            (("body", "正文"),),
            lambda c: {"body": f"本机关受理的{c.title}，因{(_suspension(c).reason if _suspension(c) else '')}，"
                               f"根据有关规定，决定中止审理。中止期间不计入审理期限。"}),
    DocType("resumption_notice", "恢复审理通知书", "恢", "notice.html",
            needs(lambda c: bool(_suspension(c) and _suspension(c).ended_on), "案件尚未恢复审理"),
            (("body", "正文"),),
            lambda c: {"body": f"本机关中止审理的{c.title}，中止原因已消除，决定自"
                               f"{_suspension(c).ended_on if _suspension(c) else ''}起恢复审理。"}),
    DocType("extension_form", "延长审理期限审批表", "延", "extension_form.html",
            needs(lambda c: c.case_type == CaseType.ADJUDICATION and c.accepted_on is not None, "案件尚未受理"),
            (("reason", "延期理由"),), lambda c: {"reason": "案情复杂，需进一步调查取证。"}),
    DocType("revocation_decision", "撤销案件决定书", "撤", "notice.html",
            needs(lambda c: c.closing_type == ClosingType.REVOKED.value, "案件未撤销"),
            (("body", "正文"),),
            lambda c: {"body": f"本机关受理的{c.title}，经审查，决定撤销该案件。"}),
    DocType("ruling", "行政裁决书", "决", "ruling.html",
            needs(lambda c: bool(c.decision_outcome), "案件尚未作出裁决，不能制作行政裁决书"),
            (("claims", "请求人请求及理由"), ("answer", "被请求人答辩意见"),
             ("evidence", "证据和质证（各方证据及对方质证意见）"), ("evidence_admitted", "证据认定"),
             ("facts", "经审理查明"), ("reasons", "本机关认为"), ("legal_basis", "法律依据"), ("decision", "裁决主文")),
            lambda c: {
                "claims": f"请求人称：{c.facts_and_reasons or ''}请求：{c.requests}",
                "answer": ruling.answer_text(c),
                "evidence": ruling.evidence_text(c),
                "evidence_admitted": "本机关对上述证据认证如下：",
                "facts": f"请求人系{_patents(c)}的专利权人，该专利权合法有效。",
                "reasons": "",
                "legal_basis": ruling.legal_basis_default(c),
                "decision": c.decision_text or "",
            },
            required=("claims", "answer", "facts", "reasons", "decision"), long_texts=True),
    DocType("mediation_agreement", "调解协议书", "调协", "mediation_agreement.html",
            needs(_mediated, "案件尚未达成调解协议"),
            (("dispute", "纠纷事项"), ("body", "协议内容"), ("performance", "履行与司法确认")),
            lambda c: {"dispute": _dispute_text(c), "body": _agreement_text(c), "performance": _performance_text()},
            context=_agreement_context, long_texts=True),
    DocType("confirmation_application", "司法确认申请书", "司", "notice.html",
            needs(_mediated, "案件尚未达成调解协议"),
            (("body", "申请内容"),),
            lambda c: {"body": f"申请人于调解协议生效之日起{_confirmation_days()}内，共同向人民法院申请司法确认该调解协议。"
                               "\n\n请求事项：确认调解协议有效。"}),
)}
SERVICE_RECEIPT = DocType("service_receipt", "送达回证", "", "service_receipt.html", lambda case: None)


def register_doc_type(doc_type: DocType) -> None:
    """A document another feature makes (the credit notice, the referral
    letters), added at app creation after those of the procedure."""
    DOC_TYPES.setdefault(doc_type.key, doc_type)
