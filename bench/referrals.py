"""Delivery benchmark of the referral exchange (SPEC §6).

Two real instances (Hubei, Jiangxi: own databases, gunicorn on free ports of
127.0.0.1, each with its job worker). Hubei sends N referrals to Jiangxi
while Jiangxi's server is killed and started again K times during the
delivery. At the end it counts, at Jiangxi, what arrived: every referral
once, none twice, none lost. The last line of output is JSON:

    {"sent": N, "delivered": …, "duplicates": …, "lost": …, "seconds": …}

    .venv/bin/python bench/referrals.py --count 1000 --restarts 2 [--database postgresql]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from tests.instances import drop_databases, pair, running, wait_for  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="referrals sent (default: %(default)s)")
    parser.add_argument("--restarts", type=int, default=2, help="receiver restarts during delivery (default: %(default)s)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--down-seconds", type=float, default=2.0, help="how long the receiver stays down")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after so many seconds")
    return parser.parse_args(argv)


def send_all(hubei, count: int) -> list[str]:
    from casesys.auth.models import Office, User
    from casesys.domain.referrals import ReferralAction, ReferralKind, Side
    from casesys.extensions import db
    from casesys.referrals.services import ReferralData, act_on_referral, create_referral

    kinds = [k for k in ReferralKind if k != ReferralKind.CASE_TRANSFER]
    uids = []
    with hubei.context():
        officer = db.session.scalar(sa.select(User).where(User.username == "hb_officer"))
        jiangxi = db.session.scalar(sa.select(Office).where(Office.code == "JX"))
        for index in range(count):
            referral = create_referral(ReferralData(kinds[index % len(kinds)], jiangxi, f"基准测试协作事项 {index + 1}",
                                                    "请协助办理。"), actor=officer)
            act_on_referral(referral, ReferralAction.SEND, side=Side.SENDER, actor=officer)
            db.session.commit()  # one unit of work per referral, as from the page
            uids.append(referral.uid)
    return uids


def delivered_count(hubei) -> int:
    from casesys.extensions import db
    from casesys.referrals.models import OutboxMessage

    with hubei.context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.state == "delivered"))


def restarter(jiangxi, hubei, count: int, restarts: int, down: float, done: threading.Event, log: list):
    """Kill Jiangxi's server at evenly spaced points of the delivery."""
    for number in range(1, restarts + 1):
        mark = count * number // (restarts + 1)
        while delivered_count(hubei) < mark and not done.is_set():
            time.sleep(0.1)
        if done.is_set():
            return
        jiangxi.stop_server(hard=True)
        log.append({"restart": number, "at_delivered": delivered_count(hubei)})
        time.sleep(down)
        jiangxi.start_server()


def main(argv=None) -> int:
    args = parse_args(argv)
    postgres = (os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL
                if args.database == "postgresql" else None)
    with tempfile.TemporaryDirectory(prefix="casesys-referrals-bench-") as tmp:
        hubei, jiangxi = pair(Path(tmp), postgres)
        try:
            with running(hubei, jiangxi):
                started = time.monotonic()
                done = threading.Event()
                log: list = []
                thread = threading.Thread(target=restarter, daemon=True,
                                          args=(jiangxi, hubei, args.count, args.restarts, args.down_seconds, done, log))
                thread.start()
                uids = send_all(hubei, args.count)
                print(f"sent {len(uids)} referrals in {time.monotonic() - started:.1f} s", flush=True)
                try:
                    wait_for(lambda: delivered_count(hubei) >= len(uids) and not thread.is_alive(),
                             timeout=args.timeout, every=0.5, what="every message delivered")
                except AssertionError as error:
                    print(f"incomplete: {error}", flush=True)
                seconds = time.monotonic() - started
                done.set()
                thread.join(timeout=60)
                for entry in log:
                    print(f"receiver restart {entry['restart']} after {entry['at_delivered']} delivered", flush=True)
                result = count_at_receiver(jiangxi, uids)
                result["seconds"] = round(seconds, 1)
                result["receipts"] = delivered_count(hubei)
                result["restarts"] = len(log)
                result["database"] = args.database
        finally:
            hubei.dispose()
            jiangxi.dispose()
            drop_databases(postgres, hubei, jiangxi)
    print(json.dumps({"sent": args.count, **result}, ensure_ascii=False))
    return 0 if result["lost"] == 0 and result["duplicates"] == 0 else 1


def count_at_receiver(jiangxi, uids: list[str]) -> dict:
    from casesys.extensions import db
    from casesys.referrals.models import InboxMessage, Referral

    with jiangxi.context():
        per_uid = dict(db.session.execute(sa.select(Referral.uid, sa.func.count()).group_by(Referral.uid)).all())
        inbox_per_referral = db.session.execute(
            sa.select(InboxMessage.referral_id, sa.func.count()).group_by(InboxMessage.referral_id)).all()
    arrived = [uid for uid in uids if per_uid.get(uid)]
    duplicates = sum(count - 1 for count in per_uid.values() if count > 1) + sum(
        count - 1 for _, count in inbox_per_referral if count > 1)
    return {"delivered": len(arrived), "duplicates": duplicates, "lost": len(uids) - len(arrived)}


if __name__ == "__main__":
    sys.exit(main())
