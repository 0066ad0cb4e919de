"""Exchange of referrals between two casesys instances (SPEC §6).

Sending: each step that concerns a partner running casesys writes a signed
message into the outbox in the same transaction as the step; a durable job
(casesys.referrals.jobs) delivers it until the partner answers with a signed
receipt carrying the message's SHA-256.

Receiving: `receive_message` checks the size, the sender's registration,
the signature, the addressee and the timestamp window, then applies the
message once: a second copy gets the stored receipt and changes nothing.
Whatever is refused is logged (table and application log) and creates nothing.

Two signatures travel with each attempt: the message's own (over its exact
bytes, fixed once written to the outbox, so that every retry carries the same
SHA-256 and the receipt proves exactly that message), and a transport
signature over "<SHA-256>|<time of this attempt>". The window is checked on
the attempt's time: a retry after a long outage is fresh, a captured request
replayed later is not.
"""
from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casesys.auth.models import Office
from casesys.cases.services import upload_limit
from casesys.cases.storage import UploadRejected, check_upload, path_for, save_upload
from casesys.core import clock
from casesys.core.inputs import carries_nul
from casesys.domain.referrals import ReferralAction, ReferralKind, ReferralRefused, ReferralState, Side
from casesys.extensions import db
from casesys.jobs import enqueue  # the durable jobs (issue 10) deliver the outbox
from casesys.referrals.models import (
    ExchangeRefusal,
    InboxMessage,
    OutboxMessage,
    Referral,
    ReferralMessage,
    new_uid,
)
from casesys.referrals.signing import canonical, sha256_hex, sign, verify

DELIVER_JOB = "referrals.deliver_message"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


# --- sending -----------------------------------------------------------------

def _other_office(referral: Referral, side: Side) -> Office:
    return referral.receiver_office if side == Side.SENDER else referral.sender_office


def _own_office(referral: Referral, side: Side) -> Office:
    return referral.sender_office if side == Side.SENDER else referral.receiver_office


def _attachment_payload(items) -> list[dict]:
    out = []
    for item in items:
        content = path_for(item.sha256).read_bytes()
        out.append({"sha256": item.sha256, "size": item.size, "filename": item.filename,
                    "content_type": item.content_type, "description": item.description,
                    "content": base64.b64encode(content).decode("ascii")})
    return out


def queue_message(referral: Referral, side: Side, message_type: str, body: dict) -> OutboxMessage | None:
    """Sign and store a message for the partner on the other side, and the
    job that delivers it; None when that partner does not run casesys."""
    partner = _other_office(referral, side)
    if not partner.runs_casesys:
        return None
    envelope = {"id": new_uid(), "type": message_type, "sender": _own_office(referral, side).code,
                "receiver": partner.code, "timestamp": clock.utcnow().strftime(TIME_FORMAT), "body": body}
    data = canonical(envelope)
    row = OutboxMessage(uid=envelope["id"], referral=referral, partner_office_id=partner.id,
                        message_type=message_type, body=data, sha256=sha256_hex(data), signature=sign(data))
    db.session.add(row)
    db.session.flush()
    enqueue(DELIVER_JOB, {"outbox_id": row.id})
    return row


def report_action(referral: Referral, action: ReferralAction, *, side: Side, message: ReferralMessage,
                  on: date, text: str = "") -> None:
    if action == ReferralAction.SEND:
        queue_message(referral, side, "referral.sent", {
            "referral": {
                "uid": referral.uid, "kind": referral.kind.value, "subject": referral.subject,
                "body": referral.body, "sender_case_number": referral.sender_case_number,
                "sender_contact": referral.sender_contact, "sent_on": on.isoformat(),
                "case_snapshot": referral.case_snapshot},
            "message_uid": message.uid,
            "attachments": _attachment_payload(referral.attachments)})
        return
    queue_message(referral, side, "referral.action", {
        "referral": referral.uid, "action": action.value, "side": side.value, "on": on.isoformat(),
        "text": text,
        "author": message.author_name, "message_uid": message.uid,
        "receiver_case_number": referral.receiver_case_number,
        "attachments": _attachment_payload(message.attachments)})


def report_note(referral: Referral, *, side: Side, message: ReferralMessage) -> None:
    queue_message(referral, side, "referral.note", {
        "referral": referral.uid, "side": side.value, "text": message.body, "author": message.author_name,
        "message_uid": message.uid, "attachments": _attachment_payload(message.attachments)})


# --- receiving -----------------------------------------------------------------

class ExchangeRefused(Exception):
    def __init__(self, status: int, message: str, *, sender: str = "", uid: str = ""):
        super().__init__(message)
        self.status, self.message, self.sender, self.uid = status, message, sender, uid


@dataclass
class Answer:
    status: int
    payload: dict


def max_message_bytes() -> int:
    return int(current_app.config["REFERRALS_MAX_MESSAGE_BYTES"])


def refuse_oversized(remote_addr: str) -> Answer:
    """Announced larger than the limit: refused before the body is read."""
    return _refused(ExchangeRefused(413, f"消息过大：上限为 {max_message_bytes() // (1024 * 1024)} MB"), remote_addr)


def _refused(refusal: ExchangeRefused, remote_addr: str) -> Answer:
    db.session.rollback()
    current_app.logger.warning("referral message refused (%s): %s sender=%s id=%s from=%s",
                               refusal.status, refusal.message, refusal.sender, refusal.uid, remote_addr)
    db.session.add(ExchangeRefusal(remote_addr=remote_addr[:64], sender_code=refusal.sender[:32],
                                   message_uid=refusal.uid[:64], reason=refusal.message[:300]))
    db.session.commit()
    return Answer(refusal.status, {"error": refusal.message})


def transport_text(digest: str, sent_at: str) -> bytes:
    return f"{digest}|{sent_at}".encode("ascii")


@dataclass
class Transport:
    """This attempt's time and its signature (see the module's docstring)."""
    sent_at: str = ""
    signature: str = ""


def receive_message(data: bytes, signature: str, transport: Transport, *, remote_addr: str = "") -> Answer:
    """Check, apply once, and answer with a signed receipt (or a refusal)."""
    try:
        answer = _receive(data, signature, transport)
        db.session.commit()
        return answer
    except ExchangeRefused as refusal:
        return _refused(refusal, remote_addr)
    except sa.exc.IntegrityError:
        # The same message applied at this moment by a concurrent delivery: answer as a duplicate.
        db.session.rollback()
        envelope = json.loads(data)
        row = db.session.scalar(sa.select(InboxMessage).where(InboxMessage.uid == str(envelope.get("id"))))
        if row is None:
            raise
        return Answer(200, {"receipt": row.receipt, "signature": row.receipt_signature, "duplicate": True})


def _receive(data: bytes, signature: str, transport: Transport) -> Answer:
    if len(data) > max_message_bytes():
        raise ExchangeRefused(413, f"消息过大：上限为 {max_message_bytes() // (1024 * 1024)} MB")
    try:
        envelope = json.loads(data.decode("utf-8"))
        if carries_nul(envelope):  # PostgreSQL refuses NUL in text, and the codes are looked up at once
            raise ExchangeRefused(400, "消息含有无效字符（NUL）")
        uid, sender_code, receiver_code = str(envelope["id"]), str(envelope["sender"]), str(envelope["receiver"])
        message_type, body = str(envelope["type"]), envelope["body"]
        datetime.strptime(envelope["timestamp"], TIME_FORMAT)  # when the message was written
        if not isinstance(body, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[… nested
        raise ExchangeRefused(400, "消息格式无效") from None
    sender = db.session.scalar(sa.select(Office).where(Office.code == sender_code))
    if sender is None or not sender.is_partner or not sender.is_active or not sender.public_key:
        raise ExchangeRefused(403, f"发件机关“{sender_code}”未登记为协作机关", sender=sender_code, uid=uid)
    if not signature or not verify(sender.public_key, data, signature):
        raise ExchangeRefused(403, f"签名无效：消息不是由{sender.name}登记的密钥签署的（对方密钥可能已更换）",
                              sender=sender_code, uid=uid)
    receiver = db.session.scalar(sa.select(Office).where(Office.code == receiver_code))
    if receiver is None or receiver.is_partner:
        raise ExchangeRefused(400, f"收件机关“{receiver_code}”不在本系统", sender=sender_code, uid=uid)
    digest = sha256_hex(data)
    try:
        sent_at = datetime.strptime(transport.sent_at, TIME_FORMAT)
    except ValueError:
        raise ExchangeRefused(400, "缺少发送时间", sender=sender_code, uid=uid) from None
    if not verify(sender.public_key, transport_text(digest, transport.sent_at), transport.signature):
        raise ExchangeRefused(403, "发送时间的签名无效", sender=sender_code, uid=uid)
    window = timedelta(seconds=int(current_app.config["REFERRALS_MAX_SKEW_SECONDS"]))
    if abs(clock.utcnow() - sent_at) > window:
        raise ExchangeRefused(400, "发送时间超出允许范围，按重放拒收", sender=sender_code, uid=uid)
    seen = db.session.scalar(sa.select(InboxMessage).where(InboxMessage.uid == uid))
    if seen is not None:
        if seen.sha256 != digest:
            raise ExchangeRefused(409, "消息编号已使用但内容不同，拒收", sender=sender_code, uid=uid)
        return Answer(200, {"receipt": seen.receipt, "signature": seen.receipt_signature, "duplicate": True})
    try:
        with db.session.begin_nested():
            referral = APPLY[message_type](body, sender, receiver)
    except KeyError:
        raise ExchangeRefused(400, f"未知的消息类型“{message_type}”", sender=sender_code, uid=uid) from None
    except ReferralRefused as error:
        raise ExchangeRefused(409, str(error), sender=sender_code, uid=uid) from None
    except UploadRejected as error:
        raise ExchangeRefused(422, f"附件被拒收：{error}", sender=sender_code, uid=uid) from None
    receipt = canonical({"message_id": uid, "sha256": digest, "receiver": receiver.code, "status": "accepted",
                         "received_at": clock.utcnow().strftime(TIME_FORMAT)}).decode("utf-8")
    receipt_signature = sign(receipt.encode("utf-8"))
    db.session.add(InboxMessage(uid=uid, sender_office_id=sender.id, message_type=message_type, sha256=digest,
                                referral_id=referral.id if referral else None, receipt=receipt,
                                receipt_signature=receipt_signature))
    db.session.flush()
    return Answer(200, {"receipt": receipt, "signature": receipt_signature, "duplicate": False})


def _store_attachments(items, referral: Referral, side: Side, message: ReferralMessage | None) -> None:
    """SPEC §6: each file arrives with its SHA-256 and size, checked here, and
    within the upload limit."""
    from casesys.referrals.services import add_attachment

    for item in items or []:
        try:
            content = base64.b64decode(item["content"], validate=True)
            expected_sha, expected_size = str(item["sha256"]), int(item["size"])
            filename = str(item["filename"])[:200]
        except (KeyError, ValueError, TypeError):
            raise UploadRejected("附件格式无效") from None
        if len(content) != expected_size:
            raise UploadRejected(f"“{filename}”大小不符（声明 {expected_size} 字节，实收 {len(content)} 字节）")
        if sha256_hex(content) != expected_sha:
            raise UploadRejected(f"“{filename}”的 SHA-256 校验值不符")
        stream = io.BytesIO(content)
        content_type = check_upload(stream, filename, upload_limit())
        stored = save_upload(stream, filename, content_type)
        if not any(a.sha256 == stored.sha256 and a.side == side for a in referral.attachments):
            add_attachment(referral, stored, side=side, description=str(item.get("description", "")), message=message)


def _apply_sent(body: dict, sender: Office, receiver: Office) -> Referral:
    from casesys.referrals.services import refresh_referral_deadlines

    try:
        data = body["referral"]
        uid, kind = str(data["uid"]), ReferralKind(data["kind"])
        sent_on = date.fromisoformat(data["sent_on"])
    except (KeyError, ValueError, TypeError):
        raise ReferralRefused("协作事项内容不完整") from None
    if db.session.scalar(sa.select(Referral.id).where(Referral.uid == uid)) is not None:
        raise ReferralRefused("该协作事项已经收到")
    referral = Referral(uid=uid, kind=kind, state=ReferralState.SENT, sender_office_id=sender.id,
                        receiver_office_id=receiver.id, subject=str(data.get("subject", ""))[:200] or kind.label,
                        body=str(data.get("body", "")), sender_case_number=str(data.get("sender_case_number", ""))[:64],
                        sender_contact=str(data.get("sender_contact", ""))[:100], sent_on=sent_on,
                        case_snapshot=data.get("case_snapshot"))
    db.session.add(referral)
    referral.sender_office, referral.receiver_office = sender, receiver
    message = ReferralMessage(uid=str(body.get("message_uid") or new_uid()), side=Side.SENDER, kind="action",
                              action="send", author_name=referral.sender_contact, office_name=sender.name,
                              body="发送")
    referral.messages.append(message)
    _store_attachments(body.get("attachments"), referral, Side.SENDER, message)
    refresh_referral_deadlines(referral)
    db.session.flush()
    return referral


def _known_referral(body: dict, sender: Office) -> tuple[Referral, Side]:
    referral = db.session.scalar(sa.select(Referral).where(Referral.uid == str(body.get("referral"))))
    if referral is None:
        raise ReferralRefused("本机关未收到该协作事项")
    try:
        side = Side(body.get("side"))
    except ValueError:
        raise ReferralRefused("消息未说明发出方") from None
    if referral.sender_office_id != sender.id and referral.receiver_office_id != sender.id:
        raise ReferralRefused("该协作事项与发件机关无关")
    if referral.side_of(sender.id) != side:
        raise ReferralRefused("发件机关不是该协作事项的" + side.label)
    return referral, side


def _apply_action(body: dict, sender: Office, receiver: Office) -> Referral:
    from casesys.referrals.services import ActionInput, _apply

    referral, side = _known_referral(body, sender)
    try:
        action = ReferralAction(body["action"])
        on = date.fromisoformat(body["on"])
    except (KeyError, ValueError, TypeError):
        raise ReferralRefused("状态变更内容不完整") from None
    if body.get("receiver_case_number") and side == Side.RECEIVER:
        referral.receiver_case_number = str(body["receiver_case_number"])[:64]
    _apply(referral, action, side=side, actor=None,
           data=ActionInput(text=str(body.get("text", "")), on=on), author=str(body.get("author", ""))[:64],
           remote=True)
    message = referral.messages[-1]
    if body.get("message_uid"):
        message.uid = str(body["message_uid"])
    _store_attachments(body.get("attachments"), referral, side, message)
    db.session.flush()
    return referral


def _apply_note(body: dict, sender: Office, receiver: Office) -> Referral:
    referral, side = _known_referral(body, sender)
    message = ReferralMessage(uid=str(body.get("message_uid") or new_uid()), side=side, kind="note",
                              author_name=str(body.get("author", ""))[:64], office_name=sender.name,
                              body=str(body.get("text", "")))
    referral.messages.append(message)
    _store_attachments(body.get("attachments"), referral, side, message)
    db.session.flush()
    return referral


APPLY = {"referral.sent": _apply_sent, "referral.action": _apply_action, "referral.note": _apply_note}
