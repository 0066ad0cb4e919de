"""The durable job that delivers an outbox message to the partner's instance
(SPEC §6): retried with backoff until a signed receipt carrying the
message's SHA-256 comes back; the receipt is kept as proof of delivery."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import sqlalchemy as sa
from flask import current_app

from casesys.core import clock
from casesys.domain.referrals import OUTBOX, OutboxMove, OutboxState
from casesys.extensions import db
from casesys.jobs import job_handler
from casesys.referrals.exchange import DELIVER_JOB, TIME_FORMAT, transport_text
from casesys.referrals.models import OutboxMessage
from casesys.referrals.signing import sign, verify

EXCHANGE_PATH = "/exchange/referrals"


class DeliveryFailed(RuntimeError):
    """The message is not (yet) delivered; the job is tried again later."""


def transport_headers(digest: str) -> dict[str, str]:
    """This attempt's time, signed with the message's digest (replay window)."""
    sent_at = clock.utcnow().strftime(TIME_FORMAT)
    return {"X-Casesys-Sent-At": sent_at, "X-Casesys-Transport-Signature": sign(transport_text(digest, sent_at))}


def _post(url: str, body: bytes, signature: str, digest: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "X-Casesys-Signature": signature,
        **transport_headers(digest)})
    timeout = float(current_app.config.get("REFERRALS_HTTP_TIMEOUT", 30))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (partner URL from the registry)
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryFailed(f"协作机关系统无法连接：{getattr(error, 'reason', error)}") from None


def deliver(row: OutboxMessage) -> dict:
    """One attempt; raises DeliveryFailed with a Chinese message."""
    if row.state == OutboxState.DELIVERED:
        return {"delivered": True, "already": True}
    partner = row.partner_office
    # Nothing is changed in the session before the outcome is known: a pending
    # change would be flushed by the next read and hold SQLite's write lock.
    attempts = row.attempts + 1
    try:
        status, answer = _post(partner.instance_url.rstrip("/") + EXCHANGE_PATH, row.body, row.signature,
                               row.sha256)
        if status != 200:
            raise DeliveryFailed(f"协作机关拒收（{status}）：{answer.get('error', '无说明')}")
        receipt, signature = answer.get("receipt"), answer.get("signature")
        if not receipt or not signature or not verify(partner.public_key, receipt.encode("utf-8"), signature):
            raise DeliveryFailed("回执签名无效：与登记的对方公钥不符（对方密钥可能已更换）")
        facts = json.loads(receipt)
        if facts.get("sha256") != row.sha256 or facts.get("message_id") != row.uid:
            raise DeliveryFailed("回执与所发消息不符（SHA-256 不一致）")
    except DeliveryFailed as error:
        current_app.logger.warning("referral message %s to %s not delivered: %s", row.uid, partner.code, error)
        # The job's work is rolled back when it raises; the attempt is shown on
        # the referral all the same, written on a connection of its own.
        with db.engine.begin() as conn:
            conn.execute(sa.update(OutboxMessage.__table__).where(OutboxMessage.__table__.c.id == row.id)
                         .values(attempts=attempts, last_error=str(error)[:2000]))
        raise
    row.state = OUTBOX.next(row.state, OutboxMove.DELIVER)
    row.delivered_at, row.last_error, row.attempts = clock.utcnow(), "", attempts
    row.receipt, row.receipt_signature = receipt, signature
    return {"delivered": True, "sha256": row.sha256}


@job_handler(DELIVER_JOB, max_attempts=30)
def deliver_message(job, progress):
    row = db.session.get(OutboxMessage, int(job.payload["outbox_id"]))
    if row is None:
        return {"delivered": False, "missing": True}
    return deliver(row)
