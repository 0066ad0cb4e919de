"""Durable background jobs: their states, the moves between them and the
retry delay. Plain Python; the worker (casesys.jobs.worker) applies them."""
from __future__ import annotations

from datetime import timedelta

from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused


class JobState(Labelled):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class JobMove(Labelled):
    CLAIM = "claim", "开始执行"
    FINISH = "finish", "完成"
    RETRY_LATER = "retry_later", "稍后重试"
    GIVE_UP = "give_up", "放弃"
    RETRY = "retry", "重试"
    CANCEL = "cancel", "取消"


# (state, move) → state. A running job is claimed again only when its
# worker stopped beating (the worker checks the heartbeat before the move).
TRANSITIONS: dict[tuple[JobState, JobMove], JobState] = {
    (JobState.QUEUED, JobMove.CLAIM): JobState.RUNNING,
    (JobState.RUNNING, JobMove.CLAIM): JobState.RUNNING,
    (JobState.RUNNING, JobMove.FINISH): JobState.DONE,
    (JobState.RUNNING, JobMove.RETRY_LATER): JobState.QUEUED,
    (JobState.RUNNING, JobMove.GIVE_UP): JobState.FAILED,
    (JobState.FAILED, JobMove.RETRY): JobState.QUEUED,
    (JobState.CANCELLED, JobMove.RETRY): JobState.QUEUED,
    (JobState.QUEUED, JobMove.CANCEL): JobState.CANCELLED,
    (JobState.RUNNING, JobMove.CANCEL): JobState.CANCELLED,
}
FINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class JobMoveRefused(Refused):
    pass


def next_state(state: str, move: JobMove) -> JobState:
    """The one judge of job states: the state `move` leads to, or refused."""
    try:
        return TRANSITIONS[(JobState(state), move)]
    except KeyError:
        raise JobMoveRefused(f"任务当前为「{JobState.label_of(state)}」，不能{move.label}。") from None


def can_move(state: str, move: JobMove) -> bool:
    return (JobState(state), move) in TRANSITIONS


def retry_delay(attempts: int, *, base_seconds: int = 30, cap_seconds: int = 3600) -> timedelta:
    """Exponential backoff after the `attempts`-th failed try: base, 2·base,
    4·base, … never more than the cap."""
    exponent = max(attempts - 1, 0)
    return timedelta(seconds=min(base_seconds * 2 ** min(exponent, 30), cap_seconds))
