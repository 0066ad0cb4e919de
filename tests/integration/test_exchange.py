"""Two real instances exchange referrals (SPEC §6): Hubei's and Jiangxi's,
each with its own database, gunicorn on its own port and its own job
worker, on SQLite and on PostgreSQL. A transfer and an assistance request
end to end; a stopped receiver gets the message exactly once; bad
signatures, replays, unknown senders and oversized messages are refused,
logged, and create nothing."""
from __future__ import annotations

import base64
import io
import json
import os
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.instances import drop_databases, pair, running, wait_for

PDF = b"%PDF-1.4\n% exchange test\n"
pytestmark = pytest.mark.long  # mostly waiting for the instances


@pytest.fixture(scope="module")
def instances(backend, tmp_path_factory):
    postgres = os.environ.get("TEST_DATABASE_URL") if backend == "postgresql" else None
    hubei, jiangxi = pair(tmp_path_factory.mktemp(f"exchange_{backend}"), postgres,
                          max_message_bytes=2 * 1024 * 1024)
    with running(hubei, jiangxi):
        yield hubei, jiangxi
    hubei.dispose()
    jiangxi.dispose()
    drop_databases(postgres, hubei, jiangxi)


def _user(username):
    from casesys.auth.models import User
    from casesys.extensions import db

    return db.session.scalar(sa.select(User).where(User.username == username))


def _office(code):
    from casesys.auth.models import Office
    from casesys.extensions import db

    return db.session.scalar(sa.select(Office).where(Office.code == code))


def _referral(uid):
    from casesys.extensions import db
    from casesys.referrals.models import Referral

    db.session.expire_all()
    return db.session.scalar(sa.select(Referral).where(Referral.uid == uid))


def _count(model, *where):
    from casesys.extensions import db

    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _delivered(instance, uid):
    def check():
        with instance.context():
            referral = _referral(uid)
            return referral is not None and referral.outbox and all(m.state == "delivered" for m in referral.outbox)

    return check


def _state(instance, uid, state):
    def check():
        with instance.context():
            referral = _referral(uid)
            return referral is not None and referral.state.value == state

    return check


def _pdf(name, content=PDF):
    from casesys.cases.storage import save_upload

    return save_upload(io.BytesIO(content), name, "application/pdf")


def test_a_case_transfer_end_to_end(instances):
    from casesys.adjudication.models import Approval
    from casesys.adjudication.services import approve
    from casesys.cases.services import EvidenceData, PartyData, PatentData, add_evidence, register_case
    from casesys.core import clock
    from casesys.domain.enums import CaseType, PartyKind, PartyRole, PatentType
    from casesys.domain.referrals import ReferralAction as A
    from casesys.domain.referrals import ReferralKind as K
    from casesys.domain.referrals import Side
    from casesys.extensions import db
    from casesys.referrals.models import OutboxMessage
    from casesys.referrals.services import ReferralData, act_on_referral, create_referral
    from casesys.referrals.signing import verify

    hubei, jiangxi = instances
    with hubei.context():
        officer = _user("hb_officer")
        case = register_case(
            case_type=CaseType.ADJUDICATION, office=officer.office, actor=officer,
            received_on=clock.today() - timedelta(days=2),
            fields={"title": "某光电公司与九江某公司侵害发明专利权纠纷", "requests": "停止销售"},
            parties=[PartyData(PartyRole.REQUESTER, {"kind": PartyKind.ORGANISATION, "name": "武汉某光电有限公司",
                                                     "address": "武汉市", "enterprise_type": "private"},
                               {"name": "李律师", "firm": "楚天律所", "phone": "", "authority": "special"}),
                     PartyData(PartyRole.RESPONDENT, {"kind": PartyKind.ORGANISATION, "name": "九江某贸易有限公司",
                                                      "address": "九江市浔阳区", "enterprise_type": "private"})],
            patents=[PatentData(_patent_number(), "1-3",
                                {"patent_type": PatentType.INVENTION, "title": "一种光纤连接器", "patentee": "武汉某光电有限公司",
                                 "legal_status": "valid", "evaluation": "none"})])
        evidence = add_evidence(case, EvidenceData(_pdf("购买发票.pdf", PDF + b"invoice"),
                                                   {"kind": "document", "description": "购买发票"}), actor=officer)
        referral = create_referral(ReferralData(K.CASE_TRANSFER, _office("JX"), "移送管辖",
                                                "侵权行为地及被请求人住所地均在九江市", case), actor=officer)
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=officer)
        db.session.commit()
        uid, case_number, evidence_sha = referral.uid, case.number, evidence.sha256
        assert _count(OutboxMessage) == 0  # nothing leaves before the supervisor approves
        approval = db.session.scalar(sa.select(Approval).where(Approval.case_id == case.id))
        approve(approval, actor=_user("hb_supervisor"), today=clock.today())
        db.session.commit()
        assert case.closing_type == "transferred"
    wait_for(_delivered(hubei, uid), what="the transfer delivered")
    with jiangxi.context():
        received = _referral(uid)
        assert received.state.value == "sent" and received.sender_case_number == case_number
        assert [a.sha256 for a in received.attachments] == [evidence_sha]
        assert received.case_snapshot["parties"][0]["agents"][0]["name"] == "李律师"
        jx = _user("jx_officer")
        act_on_referral(received, A.RECEIVE, side=Side.RECEIVER, actor=jx)
        act_on_referral(received, A.ACCEPT, side=Side.RECEIVER, actor=jx)
        db.session.commit()
        opened = received.receiver_case
        assert opened.number.startswith("赣知保") and [p.name for p in opened.parties] == ["武汉某光电有限公司", "九江某贸易有限公司"]
        assert [e.sha256 for e in opened.evidence] == [evidence_sha] and opened.parties[0].agents[0].name == "李律师"
        opened_number = opened.number
    wait_for(_state(hubei, uid, "accepted"), what="the acceptance back at Hubei")
    with hubei.context():
        referral = _referral(uid)
        assert referral.receiver_case_number == opened_number
        proof = referral.outbox[0]
        receipt = json.loads(proof.receipt)
        assert receipt["sha256"] == proof.sha256 == __import__("hashlib").sha256(proof.body).hexdigest()
        assert verify(_office("JX").public_key, proof.receipt.encode(), proof.receipt_signature)


_numbers = iter(range(100000, 200000))


def _patent_number() -> str:
    import random

    from casesys.domain.codes import make_patent_number

    return make_patent_number(random.Random(next(_numbers)), 2021, "invention")


def test_an_assistance_request_with_a_reply_and_its_attachment(instances):
    from casesys.core import clock
    from casesys.domain.referrals import ReferralAction as A
    from casesys.domain.referrals import ReferralKind as K
    from casesys.domain.referrals import Side
    from casesys.extensions import db
    from casesys.referrals.services import ActionInput, ReferralData, act_on_referral, add_attachment, create_referral

    hubei, jiangxi = instances
    with hubei.context():
        officer = _user("hb_officer")
        referral = create_referral(ReferralData(K.INVESTIGATION_HELP, _office("JX"), "请求协助调取销售记录",
                                                "请调取九江某贸易有限公司的销售台账"), actor=officer)
        add_attachment(referral, _pdf("协助事项清单.pdf", PDF + b"list"), side=Side.SENDER)
        act_on_referral(referral, A.SEND, side=Side.SENDER, actor=officer)
        db.session.commit()
        uid = referral.uid
    wait_for(_delivered(hubei, uid), what="the request delivered")
    reply_bytes = PDF + b"answer " * 50
    with jiangxi.context():
        received = _referral(uid)
        assert [a.filename for a in received.attachments] == ["协助事项清单.pdf"]
        assert {d.kind for d in received.deadlines} == {"referral_ack"}
        jx = _user("jx_officer")
        for step in (A.RECEIVE, A.ACCEPT, A.START):
            act_on_referral(received, step, side=Side.RECEIVER, actor=jx, data=ActionInput(handler=jx))
        act_on_referral(received, A.REPLY, side=Side.RECEIVER, actor=jx,
                        data=ActionInput("已调取销售台账，见附件", attachments=(_pdf("销售台账.pdf", reply_bytes),)))
        db.session.commit()
    wait_for(_state(hubei, uid, "replied"), what="the reply at Hubei")
    wait_for(_delivered(jiangxi, uid), what="every step of Jiangxi receipted")
    with hubei.context():
        referral = _referral(uid)
        reply = next(m for m in referral.messages if m.action == "reply")
        assert "已调取销售台账" in reply.body and [a.filename for a in reply.attachments] == ["销售台账.pdf"]
        assert reply.attachments[0].sha256 == __import__("hashlib").sha256(reply_bytes).hexdigest()
        deadlines = {d.kind: d for d in referral.deadlines}
        assert deadlines["referral_ack"].met_on == clock.today() and deadlines["referral_reply"].met_on == clock.today()
        act_on_referral(referral, A.CLOSE, side=Side.SENDER, actor=_user("hb_officer"))
        db.session.commit()
    wait_for(_state(jiangxi, uid, "closed"), what="the closing at Jiangxi")


def test_a_stopped_receiver_gets_the_message_exactly_once(instances):
    from casesys.domain.referrals import ReferralAction as A
    from casesys.domain.referrals import ReferralKind as K
    from casesys.domain.referrals import Side
    from casesys.extensions import db
    from casesys.referrals.models import InboxMessage, OutboxMessage, Referral
    from casesys.referrals.services import ReferralData, act_on_referral, create_referral

    hubei, jiangxi = instances
    jiangxi.stop_server(hard=True)
    try:
        with hubei.context():
            officer = _user("hb_officer")
            referral = create_referral(ReferralData(K.INFORMATION_NOTICE, _office("JX"), "通报", "重复侵权企业名单"),
                                       actor=officer)
            act_on_referral(referral, A.SEND, side=Side.SENDER, actor=officer)
            db.session.commit()
            uid, outbox_id = referral.uid, referral.outbox[0].id

        def failed_once():
            with hubei.context():
                db.session.expire_all()
                row = db.session.get(OutboxMessage, outbox_id)
                return row.attempts >= 1 and row.state == "pending" and "无法连接" in row.last_error

        wait_for(failed_once, what="a failed attempt while Jiangxi is down")
    finally:
        jiangxi.start_server()
    wait_for(_delivered(hubei, uid), what="delivery after the restart")
    with hubei.context():
        row = db.session.get(OutboxMessage, outbox_id)
        body, signature = row.body, row.signature
        headers = _transport(body)
    status, answer = _post(jiangxi, body, signature, headers)  # the same message once more
    assert status == 200 and answer["duplicate"] is True
    with jiangxi.context():
        assert _count(Referral, Referral.uid == uid) == 1
        assert _count(InboxMessage, InboxMessage.referral_id == _referral(uid).id) == 1


def _transport(body: bytes, *, seconds_ago: int = 0) -> dict:
    """This attempt's time and its signature, as Hubei's worker sends them."""
    from casesys.core import clock
    from casesys.referrals.exchange import TIME_FORMAT, transport_text
    from casesys.referrals.signing import sha256_hex, sign

    sent_at = (clock.utcnow() - timedelta(seconds=seconds_ago)).strftime(TIME_FORMAT)
    return {"X-Casesys-Sent-At": sent_at, "X-Casesys-Transport-Signature": sign(transport_text(sha256_hex(body), sent_at))}


def _post(instance, body: bytes, signature: str, headers: dict):
    request = urllib.request.Request(instance.url + "/exchange/referrals", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Casesys-Signature": signature,
                                              **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _envelope(uid, sender="HB", receiver="JX", *, seconds_ago=0, body=None):
    from casesys.core import clock
    from casesys.referrals.exchange import TIME_FORMAT
    from casesys.referrals.signing import canonical

    return canonical({"id": uid, "type": "referral.sent", "sender": sender, "receiver": receiver,
                      "timestamp": (clock.utcnow() - timedelta(seconds=seconds_ago)).strftime(TIME_FORMAT),
                      "body": body or {"referral": {"uid": uid, "kind": "clue_transfer", "subject": "伪造的线索",
                                                    "body": "x", "sent_on": clock.today().isoformat()},
                                       "attachments": []}})


def _signed_by_hubei(data: bytes) -> str:
    from casesys.referrals.signing import sign

    return sign(data)


@pytest.mark.parametrize("case", ["bad_signature", "replay", "unsigned_time", "unknown_sender", "oversized",
                                  "bad_attachment", "forbidden_step", "unknown_referral"])
def test_hostile_or_broken_messages_are_refused_logged_and_create_nothing(instances, case):
    from casesys.referrals.models import ExchangeRefusal, InboxMessage, Referral
    from casesys.referrals.signing import canonical

    hubei, jiangxi = instances
    uid = f"00000000-0000-4000-8000-{abs(hash(case)) % 10**12:012d}"
    with hubei.context():
        if case == "bad_signature":
            data = _envelope(uid)
            signature = base64.b64encode(Ed25519PrivateKey.generate().sign(data)).decode()
            expected, words = 403, "签名无效"
        elif case == "replay":  # a captured request sent again an hour later
            data = _envelope(uid, seconds_ago=3600)
            signature, expected, words = _signed_by_hubei(data), 400, "重放"
            headers = _transport(data, seconds_ago=3600)
        elif case == "unsigned_time":
            data = _envelope(uid)
            signature, expected, words = _signed_by_hubei(data), 403, "发送时间的签名无效"
            headers = {**_transport(data), "X-Casesys-Sent-At": _transport(data, seconds_ago=-60)["X-Casesys-Sent-At"]}
        elif case == "unknown_sender":
            data = _envelope(uid, sender="XX")
            signature, expected, words = _signed_by_hubei(data), 403, "未登记"
        elif case == "oversized":
            data = _envelope(uid, body={"referral": {"uid": uid}, "padding": "x" * (2 * 1024 * 1024)})
            signature, expected, words = _signed_by_hubei(data), 413, "消息过大"
        elif case == "bad_attachment":
            content = base64.b64encode(PDF).decode()
            body = {"referral": {"uid": uid, "kind": "clue_transfer", "subject": "附件不符", "body": "x",
                                 "sent_on": "2026-11-30"},
                    "attachments": [{"sha256": "0" * 64, "size": len(PDF), "filename": "a.pdf",
                                     "content_type": "application/pdf", "content": content}]}
            data = _envelope(uid, body=body)
            signature, expected, words = _signed_by_hubei(data), 422, "SHA-256"
        elif case == "forbidden_step":
            from casesys.core import clock
            from casesys.referrals.exchange import TIME_FORMAT

            # A step the lifecycle forbids: Hubei (the sender) "accepts" its own referral.
            known = _sent_to_jiangxi(hubei)
            data = canonical({"id": uid, "type": "referral.action", "sender": "HB", "receiver": "JX",
                              "timestamp": clock.utcnow().strftime(TIME_FORMAT),
                              "body": {"referral": known, "action": "accept", "side": "sender",
                                       "on": clock.today().isoformat(), "text": ""}})
            signature, expected, words = _signed_by_hubei(data), 409, "不能接受"
        else:
            from casesys.core import clock
            from casesys.referrals.exchange import TIME_FORMAT

            data = canonical({"id": uid, "type": "referral.note", "sender": "HB", "receiver": "JX",
                              "timestamp": clock.utcnow().strftime(TIME_FORMAT),
                              "body": {"referral": "never-sent", "side": "sender", "text": "你好"}})
            signature, expected, words = _signed_by_hubei(data), 409, "未收到该协作事项"
        if case not in ("replay", "unsigned_time"):
            headers = _transport(data)
    with jiangxi.context():
        referrals_before, inbox_before = _count(Referral), _count(InboxMessage)
    try:
        status, answer = _post(jiangxi, data, signature, headers)
    except urllib.error.URLError as error:
        # An oversized message is refused from its Content-Length before it is read: the
        # sender may still be writing when the refusal closes the connection (EPIPE or
        # ECONNRESET, by TCP timing). What the receiver did is checked below either way.
        if case != "oversized" or not isinstance(error.reason, (BrokenPipeError, ConnectionResetError)):
            raise
    else:
        assert status == expected and words in answer["error"]
    with jiangxi.context():
        assert _count(Referral) == referrals_before and _count(InboxMessage) == inbox_before
        logged = _count(ExchangeRefusal, ExchangeRefusal.reason.contains(words))
        assert logged >= 1
    assert words in (jiangxi.workdir / "server.log").read_text()


def _sent_to_jiangxi(hubei) -> str:
    from casesys.domain.referrals import ReferralAction as A
    from casesys.domain.referrals import ReferralKind as K
    from casesys.domain.referrals import Side
    from casesys.extensions import db
    from casesys.referrals.services import ReferralData, act_on_referral, create_referral

    officer = _user("hb_officer")
    referral = create_referral(ReferralData(K.CLUE_TRANSFER, _office("JX"), "线索", "x"), actor=officer)
    act_on_referral(referral, A.SEND, side=Side.SENDER, actor=officer)
    db.session.commit()
    uid = referral.uid
    wait_for(lambda: _delivered(hubei, uid)(), what="a referral at Jiangxi")
    return uid


def test_a_message_written_long_ago_is_taken_on_a_fresh_attempt(instances):
    """After a long outage the retry is fresh: the window applies to the attempt, not to the message."""
    from casesys.referrals.models import Referral

    hubei, jiangxi = instances
    uid = "00000000-0000-4000-8000-000000000999"
    with hubei.context():
        data = _envelope(uid, seconds_ago=6 * 3600)
        status, answer = _post(jiangxi, data, _signed_by_hubei(data), _transport(data))
    assert status == 200 and answer["duplicate"] is False
    with jiangxi.context():
        assert _count(Referral, Referral.uid == uid) == 1
