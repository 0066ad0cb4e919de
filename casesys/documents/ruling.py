"""What a complete 行政裁决书 says beyond its editable text (SPEC §3, §8;
issue 9.12–9.13): the case number and title, the panel or single handler,
the hearing (or 书面审理), each party's evidence with the other side's
cross-examination opinion, third parties, the panel's signatures, the
enforcement sentence only when acts are ordered to stop, and the right to sue
with the period the rule sets."""
from __future__ import annotations

from dataclasses import dataclass

from casesys.core.settings import get_setting
from casesys.documents.formatting import chinese_date, chinese_number
from casesys.domain.enums import PartyRole, Procedure
from casesys.domain.workflow import ClosingType


@dataclass(frozen=True)
class HearingLine:
    text: str


def ruling_title(case) -> str:
    """SPEC §8: named after the dispute, e.g. 专利侵权纠纷行政裁决书."""
    return f"{case.dispute_kind.label}行政裁决书"


def panel_lines(case) -> list[tuple[str, str]]:
    """(role, name) for the procedure paragraph and the signatures, presiding first."""
    members = sorted(case.panel, key=lambda m: not m.presiding)
    if case.procedure == Procedure.SIMPLIFIED or len(members) == 1:
        return [("办案人员", m.user.full_name) for m in members[:1]]
    return [("合议组组长" if m.presiding else "合议组成员", m.user.full_name) for m in members]


def panel_sentence(case) -> str:
    lines = panel_lines(case)
    if not lines:
        return ""
    if lines[0][0] == "办案人员":
        return f"由办案人员{lines[0][1]}独任审理"
    others = "、".join(name for _, name in lines[1:])
    return f"依法组成合议组（组长{lines[0][1]}{'，成员' + others if others else ''}）"


def _names(parties) -> str:
    return "、".join(p.name for p in parties)


def hearing_paragraphs(case) -> list[str]:
    """The hearing(s) held: date, place, who attended, who was absent; or 书面审理."""
    held = [h for h in case.hearings if h.held]
    if not held:
        reason = (case.paper_review_reason or "").strip()
        return [f"本案经{'合议组' if case.procedure == Procedure.ORDINARY else '办案人员'}书面审理"
                + (f"（{reason.rstrip('。')}）" if reason else "") + "，未进行口头审理。"]
    requesters = case.parties_in(PartyRole.REQUESTER)
    respondents = case.parties_in(PartyRole.RESPONDENT)
    third = case.parties_in(PartyRole.THIRD_PARTY)
    paragraphs = []
    for h in held:
        present = [p for p, came in ((requesters, h.requester_attended), (respondents, h.respondent_attended)) if came]
        text = f"本机关于{chinese_date(h.scheduled_at.date())}在{h.place}公开进行了口头审理。"
        attended = [_names(group) for group in present] + ([_names(third)] if third else [])
        if attended:
            text += f"{'、'.join(attended)}到庭参加了口头审理。"
        if not h.requester_attended:
            text += f"请求人{_names(requesters)}经依法通知{'，有正当理由' if h.absence_excused else '无正当理由'}未到庭。"
        if not h.respondent_attended:
            text += f"被请求人{_names(respondents)}经依法通知未到庭，本机关依法缺席审理。"
        paragraphs.append(text)
    return paragraphs


def evidence_text(case) -> str:
    """Default wording of the evidence section: each side's evidence and the
    other side's cross-examination opinion (the drafter edits it)."""
    lines = []
    for role, other in ((PartyRole.REQUESTER, "被请求人"), (PartyRole.RESPONDENT, "请求人"),
                        (PartyRole.THIRD_PARTY, "当事人")):
        items = [e for e in case.evidence if e.party is not None and e.party.role == role]
        if not items:
            continue
        who = _names(case.parties_in(role))
        lines.append(f"{role.label}{who}提交了以下证据：")
        for index, item in enumerate(items, start=1):
            lines.append(f"证据{index}：{item.description}（{item.kind.label}）。")
            opinion = (item.cross_examination or "").strip()
            lines.append(f"{other}质证认为：{opinion}" if opinion else f"{other}对该证据未发表质证意见。")
    return "\n".join(lines) or "各方当事人在举证期限内未提交证据。"


def answer_text(case) -> str:
    """被请求人辩称 (a lead-in the drafter completes), or per respondent the note
    that no answer was filed."""
    respondents = case.parties_in(PartyRole.RESPONDENT)
    single = len(respondents) == 1 and case.answer_received_on

    def answered(party) -> bool:
        return bool(party.answer_received_on or single)

    if all(answered(p) for p in respondents):
        return "被请求人辩称："
    return "\n".join(f"被请求人{p.name}辩称：" if answered(p) else f"被请求人{p.name}未在答辩期内提交答辩书。"
                     for p in respondents)


def legal_basis_default(case) -> str:
    key = ("basis_ruling_infringement" if case.decision_outcome == ClosingType.INFRINGEMENT.value
           else "basis_ruling_dismissed")
    return get_setting(key)


def ruling_context(case, right_to_sue_days: int) -> dict:
    infringement = case.decision_outcome == ClosingType.INFRINGEMENT.value
    return {
        "title": ruling_title(case),
        "number": case.number,  # SPEC §8: the case number heads the ruling, drafts included
        "panel_sentence": panel_sentence(case),
        "panel_lines": panel_lines(case),
        "hearing_paragraphs": hearing_paragraphs(case),
        "third_parties": _names(case.parties_in(PartyRole.THIRD_PARTY)),
        # SPEC §3: the enforcement sentence only where infringement is found and acts are ordered to stop
        "enforcement": get_setting("enforcement_ruling") if infringement else "",
        "remedy": get_setting("remedy_ruling").replace("{days}", chinese_number(right_to_sue_days)),
    }
