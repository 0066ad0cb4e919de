"""Issue 9.3, 9.6, 9.12–9.15: documents state the periods applied to the case,
the ruling is complete (case number, panel, hearing or 书面审理, evidence and
cross-examination, third parties, signatures, enforcement only when acts are
ordered to stop, right to sue), the refusal notice states the remedies, and
the legal basis comes from texts an administrator can edit."""
import io
from datetime import date

import pdfplumber
import pytest

from casesys.adjudication.models import DeadlineRule
from casesys.adjudication.services import approve, request_action
from casesys.cases.models import Evidence, Party
from casesys.core.settings import set_setting
from casesys.documents.services import create_draft, render_pdf
from casesys.domain.enums import EvidenceKind, PartyKind, PartyRole, Procedure, Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, SIMPLIFIED_CONDITIONS, Action, ActionRefused

D = date.fromisoformat
ALL_MET = dict.fromkeys({**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}, True)


def text_of(data: bytes) -> str:
    """The text without line breaks and without the draft watermark's large characters."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((page.filter(lambda o: o.get("size", 0) < 40).extract_text() or "").replace("\n", "")
                       for page in pdf.pages)


@pytest.fixture
def people(factory):
    office = factory.office(name="武汉市知识产权局", prefix="武知保")
    officers = [factory.user(Role.OFFICER, office=office, full_name=name) for name in ("王芳", "李强", "赵敏")]
    return {"officers": officers, "chief": factory.user(Role.SUPERVISOR, office=office)}


def _act(case, action, payload, people, today):
    approval = request_action(case, action, payload, actor=people["officers"][0], today=D(today))
    if approval is not None:
        approve(approval, actor=people["chief"], today=D(today))


def _ordinary_case(db, factory, people, *, hearing=True, respondent_attends=False, outcome="infringement",
                   procedure=Procedure.ORDINARY, short_answer=False):
    officer = people["officers"][0]
    case = factory.case(officer, received_on=D("2026-03-02"))
    case.parties.append(Party(role=PartyRole.THIRD_PARTY, position=1, kind=PartyKind.ORGANISATION,
                              name="荆州荆楚电子有限公司", credit_code=factory.credit_code(), address="湖北省荆州市"))
    _act(case, Action.ACCEPT, {"procedure": procedure.value, "conditions": ALL_MET,
                               "short_answer_agreed": short_answer}, people, "2026-03-03")
    ids = [u.id for u in people["officers"]]
    members = ids if procedure == Procedure.ORDINARY else ids[:1]
    _act(case, Action.SET_PANEL, {"members": members, "presiding": ids[0]}, people, "2026-03-03")
    _act(case, Action.SERVE, {"served_on": "2026-03-04"}, people, "2026-03-04")
    _act(case, Action.RECORD_ANSWER, {"answer_received_on": "2026-03-10"}, people, "2026-03-10")
    requester = case.parties_in(PartyRole.REQUESTER)[0]
    respondent = case.parties_in(PartyRole.RESPONDENT)[0]
    case.evidence.append(Evidence(party=requester, kind=EvidenceKind.DOCUMENT, description="专利证书及年费缴纳凭证",
                                  cross_examination="对真实性无异议。"))
    case.evidence.append(Evidence(party=respondent, kind=EvidenceKind.ELECTRONIC, description="现有技术网页公证书",
                                  cross_examination="公证时间晚于申请日，不能证明现有技术。"))
    if hearing:
        _act(case, Action.SCHEDULE_HEARING, {"scheduled_at": "2026-03-25T09:30", "place": "第一审理庭",
                                             "notice_served_on": "2026-03-11"}, people, "2026-03-11")
        _act(case, Action.HOLD_HEARING, {"requester_attended": True, "respondent_attended": respondent_attends},
             people, "2026-03-25")
    else:
        _act(case, Action.DELIBERATE, {"reason": "事实清楚，双方书面意见已充分表达"}, people, "2026-03-26")
    _act(case, Action.DECIDE, {"outcome": outcome, "decision_text": "被请求人立即停止制造、销售侵权产品。"
                               if outcome == "infringement" else "驳回请求人的请求。"}, people, "2026-04-01")
    db.session.commit()
    return case


def test_ruling_heading_carries_the_case_number_in_draft_and_signed(db, factory, people):
    case = _ordinary_case(db, factory, people)
    document = create_draft(case, "ruling", actor=people["officers"][0])
    for draft in (True, False):
        text = text_of(render_pdf(document, draft=draft))
        assert text.index("专利侵权纠纷行政裁决书") < text.index(case.number) < text.index("请求人")


def test_complete_ruling_panel_hearing_evidence_third_party_signatures(db, factory, people):
    case = _ordinary_case(db, factory, people)
    text = text_of(render_pdf(create_draft(case, "ruling", actor=people["officers"][0]), draft=False))
    for part in ("依法组成合议组（组长王芳，成员李强、赵敏）",
                 "荆州荆楚电子有限公司作为第三人参加了审理",
                 "在第一审理庭公开进行了口头审理",
                 "被请求人长沙湘江机械制造有限公司经依法通知未到庭，本机关依法缺席审理",
                 "证据和质证", "请求人武汉光谷激光科技有限公司提交了以下证据", "专利证书及年费缴纳凭证",
                 "被请求人质证认为：对真实性无异议", "请求人质证认为：公证时间晚于申请日",
                 "本机关对上述证据认证如下",
                 "合议组组长王芳", "合议组成员李强", "合议组成员赵敏",
                 "自收到本裁决书之日起十五日内", "《中华人民共和国专利法》第六十五条",
                 "本机关可以申请人民法院强制执行",
                 "依照《中华人民共和国专利法》第十一条、第六十五条和《专利纠纷行政裁决和调解办法》的规定"):
        assert part in text.replace(" ", "").replace("　", ""), part
    assert "专利行政执法办法" not in text and "SPEC" not in text


@pytest.mark.parametrize("outcome, enforcement", [("infringement", True), ("dismissed", False)])
def test_enforcement_sentence_only_when_acts_are_ordered_to_stop(db, factory, people, outcome, enforcement):
    case = _ordinary_case(db, factory, people, respondent_attends=True, outcome=outcome)
    text = text_of(render_pdf(create_draft(case, "ruling", actor=people["officers"][0]), draft=False))
    assert ("申请人民法院强制执行" in text) == enforcement
    assert "到庭参加了口头审理" in text and "缺席" not in text
    assert ("第十一条" in text) == enforcement  # the basis follows the outcome


def test_ordinary_case_decided_on_the_papers_records_why_and_the_ruling_says_so(db, factory, people):
    case = _ordinary_case(db, factory, people, hearing=False)
    assert case.paper_review_reason == "事实清楚，双方书面意见已充分表达"
    text = text_of(render_pdf(create_draft(case, "ruling", actor=people["officers"][0]), draft=False))
    assert "本案经合议组书面审理（事实清楚，双方书面意见已充分表达），未进行口头审理。" in text
    assert "公开进行了口头审理" not in text


def test_decision_on_the_papers_needs_a_reason_at_the_field(db, factory, people):
    officer = people["officers"][0]
    case = factory.case(officer, received_on=D("2026-03-02"))
    _act(case, Action.ACCEPT, {"procedure": "ordinary", "conditions": ALL_MET}, people, "2026-03-03")
    ids = [u.id for u in people["officers"]]
    _act(case, Action.SET_PANEL, {"members": ids, "presiding": ids[0]}, people, "2026-03-03")
    _act(case, Action.SERVE, {"served_on": "2026-03-04"}, people, "2026-03-04")
    with pytest.raises(ActionRefused, match="书面审理的理由") as refused:
        _act(case, Action.DELIBERATE, {"reason": "  "}, people, "2026-03-30")
    assert refused.value.field == "reason" and case.paper_review_reason == ""


@pytest.mark.parametrize("procedure, short, amount, expected", [
    (Procedure.ORDINARY, False, None, "十五日内"),
    (Procedure.SIMPLIFIED, True, None, "十日内"),
    (Procedure.SIMPLIFIED, False, None, "十五日内"),
    (Procedure.ORDINARY, False, 20, "二十日内"),   # a changed rule
])
def test_answer_notice_states_the_period_applied_to_the_case(db, factory, people, procedure, short, amount, expected):
    if amount:
        db.session.get(DeadlineRule, "answer").amount = amount
        db.session.commit()
    officer = people["officers"][0]
    case = factory.case(officer, received_on=D("2026-03-02"))
    _act(case, Action.ACCEPT, {"procedure": procedure.value, "conditions": ALL_MET, "short_answer_agreed": short},
         people, "2026-03-03")
    document = create_draft(case, "answer_notice", actor=officer)
    assert f"请在收到之日起{expected}提交答辩书" in document.texts["body"]
    assert "《专利纠纷行政裁决和调解办法》" in document.texts["body"]


def test_the_ruling_states_a_changed_period_to_sue(db, factory, people):
    db.session.get(DeadlineRule, "right_to_sue").amount = 20
    db.session.commit()
    case = _ordinary_case(db, factory, people)
    text = text_of(render_pdf(create_draft(case, "ruling", actor=people["officers"][0]), draft=False))
    assert "自收到本裁决书之日起二十日内" in text and "十五日内" not in text


def test_refusal_notice_states_the_remedies(db, factory, people):
    officer = people["officers"][0]
    case = factory.case(officer, received_on=D("2026-03-02"))
    conditions = dict(ALL_MET, jurisdiction=False)
    _act(case, Action.REJECT, {"conditions": conditions, "reason": "不属于本机关管辖"}, people, "2026-03-03")
    db.session.commit()
    text = text_of(render_pdf(create_draft(case, "rejection_notice", actor=officer), draft=False))
    for part in ("六十日内", "《中华人民共和国行政复议法》", "申请行政复议", "六个月内",
                 "《中华人民共和国行政诉讼法》第四十六条", "提起行政诉讼"):
        assert part in text, part


def test_legal_basis_texts_are_settings_an_administrator_edits(db, factory, people):
    set_setting("basis_ruling_infringement", "依照《中华人民共和国专利法》第十一条、第六十五条的规定",
                actor_id=None)
    set_setting("remedy_rejection_notice", "如不服本决定，可以依法申请行政复议或者提起行政诉讼（测试文本）。",
                actor_id=None)
    db.session.commit()
    case = _ordinary_case(db, factory, people)
    document = create_draft(case, "ruling", actor=people["officers"][0])
    assert document.texts["legal_basis"] == "依照《中华人民共和国专利法》第十一条、第六十五条的规定"
    other = factory.case(people["officers"][0], received_on=D("2026-03-02"))
    _act(other, Action.REJECT, {"conditions": dict(ALL_MET, claims=False), "reason": "请求不明确"}, people,
         "2026-03-03")
    text = text_of(render_pdf(create_draft(other, "rejection_notice", actor=people["officers"][0]), draft=False))
    assert "（测试文本）" in text
