"""Referrals between offices (SPEC §6) through the services: the lifecycle,
case transfer with approval, a partner answering on paper, deadlines and
reminders on both sides."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from casesys.adjudication.models import Approval, CaseDeadline, Reminder
from casesys.adjudication.reminders import create_reminders
from casesys.adjudication.services import approve
from casesys.cases.models import Agent
from casesys.cases.services import EvidenceData, add_evidence
from casesys.cases.storage import save_upload
from casesys.core import clock
from casesys.domain.enums import CaseState, Role
from casesys.domain.referrals import ReferralAction as A
from casesys.domain.referrals import ReferralKind as K
from casesys.domain.referrals import ReferralRefused, Side
from casesys.domain.referrals import ReferralState as S
from casesys.referrals.services import ActionInput, ReferralData, act_on_referral, add_note, create_referral

PDF = b"%PDF-1.4\n% referral test\n"
MONDAY = date(2026, 11, 2)


def pdf(name="reply.pdf", content=PDF):
    return save_upload(io.BytesIO(content), name, "application/pdf")


@pytest.fixture
def two_offices(db, factory):
    hubei = factory.office(prefix="鄂测", name="湖北测试局")
    xianning = factory.office(prefix="咸测", name="咸宁测试局")
    people = {
        "hb": factory.user(Role.OFFICER, office=hubei), "hb_boss": factory.user(Role.SUPERVISOR, office=hubei),
        "xn": factory.user(Role.OFFICER, office=xianning), "xn_boss": factory.user(Role.SUPERVISOR, office=xianning),
    }
    return hubei, xianning, people


def test_the_whole_lifecycle_with_deadlines_met_on_both_sides(db, two_offices):
    hubei, xianning, people = two_offices
    with clock.frozen(MONDAY):
        referral = create_referral(ReferralData(K.INVESTIGATION_HELP, xianning, "请求协助调查", "调取销售记录"),
                                   actor=people["hb"])
        assert referral.state == S.DRAFT and referral.deadlines == []
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=people["hb"])
        db.session.commit()
    assert referral.state == S.SENT and referral.sent_on == MONDAY
    ack = {d.kind: d for d in referral.deadlines}["referral_ack"]
    assert ack.due_on == date(2026, 11, 5) and ack.met_on is None  # 3 working days
    with pytest.raises(ReferralRefused, match="只有接收机关可以签收"):
        act_on_referral(referral, A.RECEIVE, side=Side.SENDER, actor=people["hb"])
    with clock.frozen(MONDAY + timedelta(days=1)):
        act_on_referral(referral, A.RECEIVE, side=Side.RECEIVER, actor=people["xn"],
                        data=ActionInput(handler=people["xn"]))
        act_on_referral(referral, A.ACCEPT, side=Side.RECEIVER, actor=people["xn"])
        with pytest.raises(ReferralRefused, match="不能撤回"):
            act_on_referral(referral, A.WITHDRAW, side=Side.SENDER, actor=people["hb"], data=ActionInput("算了"))
        act_on_referral(referral, A.START, side=Side.RECEIVER, actor=people["xn"])
        add_note(referral, side=Side.SENDER, actor=people["hb"], text="请重点核实2025年的记录")
    with clock.frozen(MONDAY + timedelta(days=8)):
        with pytest.raises(ReferralRefused, match="请填写答复内容"):
            act_on_referral(referral, A.REPLY, side=Side.RECEIVER, actor=people["xn"])
        act_on_referral(referral, A.REPLY, side=Side.RECEIVER, actor=people["xn"],
                        data=ActionInput("已调取，见附件", attachments=(pdf(),)))
        act_on_referral(referral, A.CLOSE, side=Side.SENDER, actor=people["hb"])
    db.session.commit()
    assert referral.state == S.CLOSED and referral.receiver_handler_id == people["xn"].id
    deadlines = {d.kind: d for d in referral.deadlines}
    assert deadlines["referral_ack"].met_on == MONDAY + timedelta(days=1)
    assert deadlines["referral_reply"].met_on == MONDAY + timedelta(days=8)
    actions = [m.action for m in referral.messages if m.kind == "action"]
    assert actions == ["draft", "send", "receive", "accept", "start", "reply", "close"]
    reply = next(m for m in referral.messages if m.action == "reply")
    assert "已调取" in reply.body and [a.filename for a in reply.attachments] == ["reply.pdf"]
    assert any(m.body == "请重点核实2025年的记录" for m in referral.messages)


def test_a_case_transfer_closes_the_case_with_approval_and_opens_it_at_the_receiver(db, factory, two_offices):
    hubei, xianning, people = two_offices
    with clock.frozen(MONDAY):
        case = factory.case(people["hb"], received_on=MONDAY - timedelta(days=3))
        evidence = add_evidence(case, EvidenceData(pdf("合同.pdf", PDF + b"contract"),
                                                   {"kind": "document", "description": "销售合同"}), actor=people["hb"])
        case.parties[0].agents.append(Agent(case=case, name="张律师", firm="楚天律师事务所", authority="special"))
        db.session.commit()
        referral = create_referral(ReferralData(K.CASE_TRANSFER, xianning, "移送管辖", "侵权行为地在咸宁", case),
                                   actor=people["hb"])
        message = act_on_referral(referral, A.SEND, side=Side.SENDER, actor=people["hb"])
        db.session.commit()
    assert "负责人审批" in message
    assert referral.state == S.DRAFT and case.state == CaseState.RECEIVED
    approval = db.session.scalar(sa.select(Approval).where(Approval.case_id == case.id))
    assert approval.action == "transfer" and approval.status == "pending"
    with clock.frozen(MONDAY + timedelta(days=1)):
        approve(approval, actor=people["hb_boss"], today=clock.today())
        db.session.commit()
    assert case.state == CaseState.CLOSED and case.closing_type == "transferred"
    assert referral.state == S.SENT and referral.case_snapshot["number"] == case.number
    assert any(a.sha256 == evidence.sha256 for a in referral.attachments)
    with clock.frozen(MONDAY + timedelta(days=2)):
        act_on_referral(referral, A.RECEIVE, side=Side.RECEIVER, actor=people["xn"])
        act_on_referral(referral, A.ACCEPT, side=Side.RECEIVER, actor=people["xn"])
        db.session.commit()
    opened = referral.receiver_case
    assert opened is not None and opened.office_id == xianning.id and opened.number.startswith("咸测")
    assert [(p.role, p.name, p.credit_code) for p in opened.parties] == [
        (p.role, p.name, p.credit_code) for p in case.parties]
    assert [(a.name, a.authority.value) for a in opened.parties[0].agents] == [("张律师", "special")]
    assert [cp.patent.number for cp in opened.case_patents] == [cp.patent.number for cp in case.case_patents]
    assert [(e.description, e.sha256) for e in opened.evidence] == [("销售合同", evidence.sha256)]
    assert opened.handler_id == people["xn"].id and opened.state == CaseState.RECEIVED
    assert any(e.kind == "referral" for e in case.events) and any(e.kind == "referral" for e in opened.events)


def test_a_transfer_needs_an_open_case_of_ones_own_office(db, factory, two_offices):
    hubei, xianning, people = two_offices
    foreign = factory.case(people["xn"])
    with pytest.raises(ReferralRefused, match="只能关联本机关的案件"):
        create_referral(ReferralData(K.CASE_TRANSFER, xianning, "移送", "x", foreign), actor=people["hb"])
    with pytest.raises(ReferralRefused, match="须关联本机关的案件"):
        create_referral(ReferralData(K.CASE_TRANSFER, xianning, "移送", "x"), actor=people["hb"])
    with pytest.raises(ReferralRefused, match="不能向本机关"):
        create_referral(ReferralData(K.CLUE_TRANSFER, hubei, "线索", "x"), actor=people["hb"])


def test_a_paper_partners_answer_is_entered_by_hand(db, factory, two_offices):
    hubei, _, people = two_offices
    jiangxi = factory.office(prefix="赣测", name="江西测试局", province="江西", is_partner=True)
    with clock.frozen(MONDAY):
        referral = create_referral(ReferralData(K.SERVICE_HELP, jiangxi, "协助送达", "请协助送达"), actor=people["hb"])
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=people["hb"])
    from casesys.auth.permissions import proxy_referral_side

    assert proxy_referral_side(people["hb"], referral) == Side.RECEIVER
    assert proxy_referral_side(people["xn"], referral) is None
    letter_day = MONDAY + timedelta(days=3)
    with clock.frozen(MONDAY + timedelta(days=6)):
        for step in (A.RECEIVE, A.ACCEPT, A.START):
            act_on_referral(referral, step, side=Side.RECEIVER, actor=people["hb"], data=ActionInput(on=letter_day))
        act_on_referral(referral, A.REPLY, side=Side.RECEIVER, actor=people["hb"],
                        data=ActionInput("已送达，附送达回证", on=letter_day, attachments=(pdf("回证.pdf"),)),
                        author="某某（据对方回函登记）")
    db.session.commit()
    assert referral.state == S.REPLIED and referral.received_on == letter_day and referral.answered_on == letter_day
    assert referral.outbox == []  # nothing travels to a partner without casesys


def test_overdue_referrals_are_reminded_once_on_both_sides(db, two_offices):
    hubei, xianning, people = two_offices
    with clock.frozen(MONDAY):
        referral = create_referral(ReferralData(K.CLUE_TRANSFER, xianning, "移交线索", "x"), actor=people["hb"])
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=people["hb"])
        db.session.commit()
    later = MONDAY + timedelta(days=10)
    with clock.frozen(later):
        first = create_reminders(today=later)
        db.session.commit()
        second = create_reminders(today=later)
    rows = db.session.scalars(sa.select(Reminder).where(Reminder.referral_id == referral.id)).all()
    # the sender's handler and, while nobody at the receiver handles it, its supervisor
    assert sorted(r.user_id for r in rows) == sorted([people["hb"].id, people["xn_boss"].id])
    assert {r.level for r in rows} == {"overdue"} and len(first) >= 2 and second == []
    assert "移交线索" in rows[0].message


def test_the_deadline_table_keeps_one_owner_per_row(db, two_offices):
    hubei, xianning, people = two_offices
    row = CaseDeadline(kind="x", label="x", owner="office", due_on=MONDAY)
    db.session.add(row)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
