"""Referral pages (SPEC §6): inbox and outbox with filters and figures, a new
referral, steps and replies on the referral page, bad input kept."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.domain.enums import Role
from casesys.domain.referrals import ReferralAction as A
from casesys.domain.referrals import ReferralKind as K
from casesys.domain.referrals import Side
from casesys.referrals.models import Referral
from casesys.referrals.services import ReferralData, act_on_referral, create_referral


@pytest.fixture
def offices(db, factory):
    hubei = factory.office(prefix="鄂页", name="湖北页面局")
    xianning = factory.office(prefix="咸页", name="咸宁页面局")
    hunan = factory.office(prefix="湘页", name="湖南页面局", province="湖南", is_partner=True)
    hb = factory.user(Role.OFFICER, office=hubei)
    xn = factory.user(Role.OFFICER, office=xianning)
    return hubei, xianning, hunan, hb, xn


def _sent(kind, receiver, actor, subject, days_ago):
    with clock.frozen(clock.today() - timedelta(days=days_ago)):
        referral = create_referral(ReferralData(kind, receiver, subject, "内容"), actor=actor)
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=actor)
    return referral


def test_outbox_and_inbox_with_filters_and_figures(db, client, login_as, offices):
    hubei, xianning, hunan, hb, xn = offices
    late = _sent(K.CLUE_TRANSFER, xianning, hb, "逾期未签收的线索", 20)
    fresh = _sent(K.SERVICE_HELP, hunan, hb, "新发出的送达协助", 0)
    db.session.commit()
    login_as(hb)
    page = client.get("/referrals?box=outbox").get_data(as_text=True)
    assert "逾期未签收的线索" in page and "新发出的送达协助" in page
    assert 'data-testid="overdue-count">1<' in page
    assert "咸宁页面局" in page and 'id="referrals-by-partner"' in page and "<script>" not in page
    only_late = client.get("/referrals?box=outbox&overdue=1").get_data(as_text=True)
    assert "逾期未签收的线索" in only_late and "新发出的送达协助" not in only_late
    by_partner = client.get(f"/referrals?box=outbox&partner={hunan.id}").get_data(as_text=True)
    assert "新发出的送达协助" in by_partner and "逾期未签收的线索" not in by_partner
    by_kind = client.get("/referrals?box=outbox&kind=service_help&state=sent").get_data(as_text=True)
    assert "新发出的送达协助" in by_kind and "逾期未签收的线索" not in by_kind
    assert "逾期未签收的线索" not in client.get("/referrals?box=inbox").get_data(as_text=True)
    client.post("/logout")
    login_as(xn)
    inbox = client.get("/referrals").get_data(as_text=True)
    assert "逾期未签收的线索" in inbox and "新发出的送达协助" not in inbox and "逾期" in inbox
    assert late.id and fresh.id


def test_new_referral_keeps_typed_input_and_says_what_is_missing(db, client, login_as, offices):
    hubei, xianning, hunan, hb, xn = offices
    login_as(hb)
    response = client.post("/referrals/new", data={"kind": "case_transfer", "receiver_id": xianning.id,
                                                   "subject": "移送一案", "body": "请接收", "case_number": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "案件移送须填写本机关案件的案号" in page and "移送一案" in page
    response = client.post("/referrals/new", data={"kind": "clue_transfer", "receiver_id": hunan.id,
                                                   "subject": "移交线索", "body": "详见附件",
                                                   "file": (io.BytesIO(b"%PDF-1.4\n%x\n"), "线索.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(Referral))
    assert referral.subject == "移交线索" and [a.filename for a in referral.attachments] == ["线索.pdf"]
    bad = client.post("/referrals/new", data={"kind": "clue_transfer", "receiver_id": hunan.id, "subject": "x",
                                              "body": "y", "file": (io.BytesIO(b"not a pdf"), "a.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "文件类型不支持" in bad.get_data(as_text=True)


def test_steps_and_replies_on_the_referral_page(db, client, login_as, offices):
    hubei, xianning, hunan, hb, xn = offices
    referral = _sent(K.INVESTIGATION_HELP, xianning, hb, "请求协助调查", 1)
    db.session.commit()
    login_as(xn)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert 'data-testid="action-receive"' in page and "action-withdraw" not in page
    assert client.post(f"/referrals/{referral.id}/actions/close").status_code == 403  # the sender's step
    client.post(f"/referrals/{referral.id}/actions/receive")
    client.post(f"/referrals/{referral.id}/actions/accept")
    refused = client.post(f"/referrals/{referral.id}/actions/reply", data={"text": "太早"}, follow_redirects=True)
    assert "不能答复" in refused.get_data(as_text=True)
    client.post(f"/referrals/{referral.id}/actions/start")
    empty = client.post(f"/referrals/{referral.id}/actions/reply", data={"text": ""}, follow_redirects=True)
    assert "请填写答复内容" in empty.get_data(as_text=True)
    client.post(f"/referrals/{referral.id}/actions/reply", data={
        "text": "已查明", "file": (io.BytesIO(b"%PDF-1.4\n%answer\n"), "答复.pdf")}, content_type="multipart/form-data")
    db.session.expire_all()
    assert referral.state.value == "replied"
    client.post("/logout")
    login_as(hb)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "已查明" in page and "答复.pdf" in page and "已于" in page and 'data-testid="action-close"' in page
    attachment = referral.attachments[0]
    download = client.get(f"/referrals/{referral.id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_the_paper_partners_answer_is_entered_with_its_date(db, client, login_as, offices):
    hubei, xianning, hunan, hb, xn = offices
    referral = _sent(K.SERVICE_HELP, hunan, hb, "协助送达", 5)
    db.session.commit()
    login_as(hb)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert 'data-testid="proxy-receive"' in page and "纸质函件" in page
    letter_day = clock.today() - timedelta(days=3)
    client.post(f"/referrals/{referral.id}/actions/receive", data={"on": letter_day.isoformat()})
    db.session.expire_all()
    assert referral.received_on == letter_day
    future = client.post(f"/referrals/{referral.id}/actions/accept",
                         data={"on": (clock.today() + timedelta(days=2)).isoformat()}, follow_redirects=True)
    assert "日期不能晚于今天" in future.get_data(as_text=True)
    db.session.expire_all()
    assert referral.state.value == "received"


def test_referral_rules_are_edited_with_the_other_deadline_rules(db, client, login_as, factory, offices):
    hubei, xianning, hunan, hb, xn = offices
    referral = _sent(K.CLUE_TRANSFER, xianning, hb, "线索", 0)
    db.session.commit()
    before = {d.kind: d.due_on for d in referral.deadlines}["referral_ack"]
    admin = factory.user(Role.ADMIN, office=hubei)
    login_as(admin)
    assert "线索移交：签收" in client.get("/admin/deadline-rules").get_data(as_text=True)
    response = client.post("/admin/deadline-rules", data={"key": "ref_ack_clue_transfer", "amount": 10,
                                                          "unit": "working"}, follow_redirects=True)
    assert "协作事项" in response.get_data(as_text=True)
    db.session.expire_all()
    after = {d.kind: d.due_on for d in referral.deadlines}["referral_ack"]
    assert after > before + timedelta(days=7)


def test_a_letter_for_a_partner_without_casesys_goes_through_the_documents(db, client, login_as, factory, offices):
    from casesys.documents.models import Document

    hubei, xianning, hunan, hb, xn = offices
    case = factory.case(hb)
    with clock.frozen(clock.today()):
        referral = create_referral(ReferralData(K.SERVICE_HELP, hunan, "请求协助送达", "请向岳阳某公司送达答辩通知书"),
                                   actor=hb)
    db.session.commit()
    login_as(hb)
    refused = client.post(f"/referrals/{referral.id}/letter", follow_redirects=True).get_data(as_text=True)
    assert "请先在本协作事项中关联本机关案件" in refused
    client.post(f"/referrals/{referral.id}/case", data={"case_number": case.number})
    response = client.post(f"/referrals/{referral.id}/letter")
    document = db.session.scalar(sa.select(Document))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/documents/{document.id}")
    assert document.doc_type == "assistance_letter" and document.case_id == case.id and document.status == "draft"
    assert "湖南页面局" in document.texts["body"] and "请向岳阳某公司送达答辩通知书" in document.texts["body"]
    assert "个工作日内函复" in document.texts["body"]


def test_a_refused_exchange_message_is_listed_for_the_administrator(db, client, login_as, factory, offices):
    hubei, *_ = offices
    response = client.post("/exchange/referrals", data=b"{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json() == {"error": "消息格式无效"}
    login_as(factory.user(Role.ADMIN, office=hubei))
    page = client.get("/admin/offices").get_data(as_text=True)
    assert 'data-testid="refusals"' in page and "消息格式无效" in page
