"""Demo referrals (SPEC §6), called by `flask --app wsgi demo-data`: the
partner registry filled in for Hunan's and Jiangxi's provincial offices and
the 岳阳 and 九江 city offices, and referrals in every state with Hubei's
provincial office and the 咸宁 city office, run through the same services
as the pages (with the clock set back so deadlines fall where they would)."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from casesys.adjudication.models import Approval
from casesys.adjudication.services import approve
from casesys.auth.models import Office, User
from casesys.cases.models import Case
from casesys.core import clock
from casesys.domain.enums import CaseState, CaseType
from casesys.domain.referrals import ReferralAction as A
from casesys.domain.referrals import ReferralKind as K
from casesys.domain.referrals import Side
from casesys.extensions import db
from casesys.referrals.models import Referral
from casesys.referrals.services import ActionInput, ReferralData, act_on_referral, create_referral

CONTACTS = {  # the partner registry (SPEC §6): contact person and phone
    "HN": ("周立平", "0731-84561234"), "JX": ("罗文华", "0791-86225678"),
    "HN-YY": ("彭志刚", "0730-8881234"), "JX-JJ": ("熊建明", "0792-8567890"),
    "HB-XN": ("余海涛", "0715-8123456"), "HB": ("陈志远", "027-87654321"),
}

# kind, from, to, subject, body, days ago sent (None: draft), steps after sending
SCENARIOS = [
    (K.INVESTIGATION_HELP, "HB", "JX", "请求协助调取九江某公司销售记录",
     "我局办理的一起发明专利侵权纠纷中，被请求人在江西省九江市设有仓库，请协助调取其2025年以来的销售台账。", None, []),
    (K.SERVICE_HELP, "HB", "HN-YY", "请求协助送达答辩通知书",
     "被请求人住所地在岳阳市岳阳楼区，邮寄送达被退回，请协助直接送达。", 2, []),
    (K.CLUE_TRANSFER, "HB", "HN", "移交涉嫌侵犯外观设计专利线索",
     "网络巡查发现长沙某电商店铺销售涉嫌侵犯外观设计专利的灯具，移交贵局核查。", 9, [A.RECEIVE]),
    (K.RECOGNITION, "JX", "HB", "请求认可专利侵权判定结论",
     "我局对某型号水泵作出的侵权判定结论，请求贵局在同类案件中予以互认。", 12, [A.RECEIVE, A.ACCEPT]),
    (K.JOINT_ENFORCEMENT, "HB", "JX-JJ", "联合开展长江沿线展会执法",
     "拟于下月联合开展九江—黄石展会专利执法检查，请派员参加。", 20, [A.RECEIVE, A.DECLINE]),
    (K.INVESTIGATION_HELP, "HN", "HB", "请求协助核实武汉某公司生产情况",
     "请协助核实武汉东湖高新区某公司是否生产涉案激光切割头。", 30, [A.RECEIVE, A.ACCEPT, A.START]),
    (K.INFORMATION_NOTICE, "HB", "HN", "通报重复侵权企业信息",
     "通报我省近两年两次被裁决侵权的企业名单，供贵局信用监管参考。", 40, [A.RECEIVE, A.ACCEPT, A.START, A.REPLY]),
    (K.SERVICE_HELP, "HB-XN", "HN-YY", "请求协助送达行政裁决书",
     "咸宁—岳阳跨界案件，请协助向岳阳被请求人送达行政裁决书。", 45, [A.RECEIVE, A.ACCEPT, A.START, A.REPLY, A.CLOSE]),
    (K.CLUE_TRANSFER, "HB", "JX", "移交涉嫌假冒专利线索",
     "举报材料显示南昌某企业产品标注失效专利号。", 6, [A.WITHDRAW]),
    (K.INVESTIGATION_HELP, "HB", "HB-XN", "请求协助现场勘验",
     "请协助对咸宁市咸安区某工厂进行现场勘验并制作勘验笔录。", 25, [A.RECEIVE, A.ACCEPT, A.START]),
]
DAY = {A.RECEIVE: 2, A.ACCEPT: 1, A.DECLINE: 3, A.START: 1, A.REPLY: 8, A.CLOSE: 2, A.WITHDRAW: 1}
REASONS = {A.DECLINE: "展会期间本局人员另有安排，无法派员，建议改期。", A.WITHDRAW: "线索经核实不属实，撤回。",
           A.REPLY: "经协助办理，已完成所请事项，相关材料随函附后。"}


def _officer(office: Office) -> User | None:
    return db.session.scalar(sa.select(User).where(User.office_id == office.id, User.active.is_(True))
                             .order_by(User.id).limit(1))


def generate_referrals(today: date | None = None) -> int:
    """Idempotent: does nothing when referrals exist."""
    if db.session.scalar(sa.select(sa.func.count(Referral.id))):
        return 0
    today = today or clock.today()
    offices = {o.code: o for o in db.session.scalars(sa.select(Office))}
    for code, (person, phone) in CONTACTS.items():
        if code in offices:
            offices[code].contact_person, offices[code].contact_phone = person, phone
    made = 0
    for kind, sender_code, receiver_code, subject, body, days_ago, steps in SCENARIOS:
        sender, receiver = offices.get(sender_code), offices.get(receiver_code)
        if sender is None or receiver is None:
            continue
        # A partner office's own referral to Hubei is entered as it arrived.
        author = _officer(sender) if not sender.is_partner else _officer(offices["HB"])
        if author is None:
            continue
        when = today - timedelta(days=days_ago or 0)
        with clock.frozen(when):
            referral = create_referral(ReferralData(kind, receiver, subject, body), actor=author) \
                if not sender.is_partner else _incoming(kind, sender, receiver, subject, body, author)
            if days_ago is not None and referral.state.value == "draft":
                act_on_referral(referral, A.SEND, side=Side.SENDER, actor=author)
        for step in steps:
            when += timedelta(days=DAY[step])
            side = Side.SENDER if step in (A.CLOSE, A.WITHDRAW) else Side.RECEIVER
            office = referral.sender_office if side == Side.SENDER else referral.receiver_office
            actor = _officer(office) if not office.is_partner else _officer(offices["HB"])
            with clock.frozen(min(when, today)):
                act_on_referral(referral, step, side=side, actor=actor,
                                data=ActionInput(text=REASONS.get(step, ""), handler=actor))
        made += 1
    made += _demo_transfer(offices, today)
    db.session.flush()
    return made


def _incoming(kind, sender: Office, receiver: Office, subject: str, body: str, clerk: User) -> Referral:
    """A paper referral from a partner, registered at the receiving office."""
    referral = Referral(kind=kind, sender_office_id=sender.id, receiver_office_id=receiver.id, subject=subject,
                        body=body, sender_contact=CONTACTS.get(sender.code, ("", ""))[0])
    db.session.add(referral)
    db.session.flush()
    referral.sender_office, referral.receiver_office = sender, receiver
    act_on_referral(referral, A.SEND, side=Side.SENDER, actor=clerk, remote=True)
    return referral


def _demo_transfer(offices: dict[str, Office], today: date) -> int:
    """A case transfer from the provincial office to 咸宁, approved by the
    supervisor and accepted there: the case closes as 移送结案 and opens in 咸宁."""
    officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
    supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    receiver = offices.get("HB-XN")
    if officer is None or supervisor is None or receiver is None:
        return 0
    case = db.session.scalar(sa.select(Case).where(
        Case.office_id == officer.office_id, Case.case_type == CaseType.ADJUDICATION,
        Case.state.in_([CaseState.ACCEPTED, CaseState.ANSWER_PERIOD])).order_by(Case.id).limit(1))
    if case is None:
        return 0
    when = today - timedelta(days=5)
    with clock.frozen(when):
        referral = create_referral(ReferralData(K.CASE_TRANSFER, receiver, f"移送管辖：{case.title}",
                                                "经审查，被请求人住所地及侵权行为地均在咸宁市，依法移送贵局管辖。", case),
                                   actor=officer)
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=officer)
        approval = db.session.scalar(sa.select(Approval).where(Approval.case_id == case.id,
                                                               Approval.status == "pending"))
        approve(approval, actor=supervisor, comment="同意移送。", today=when)
    receiving = _officer(receiver)
    with clock.frozen(when + timedelta(days=1)):
        act_on_referral(referral, A.RECEIVE, side=Side.RECEIVER, actor=receiving, data=ActionInput(handler=receiving))
        act_on_referral(referral, A.ACCEPT, side=Side.RECEIVER, actor=receiving)
    return 1
