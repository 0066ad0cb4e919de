"""One unit of work per request (STYLE §4): run the service, commit and say
so, or roll back and show the refusal's message."""
from __future__ import annotations

from collections.abc import Callable

from flask import flash
from sqlalchemy.orm.exc import StaleDataError

from casesys.domain.errors import Refused
from casesys.extensions import db

STALE_MESSAGE = "该记录已被他人修改，请刷新页面查看最新内容后重试。"


def commit_unit(work: Callable[[], str | None]) -> bool:
    """True if the work was committed (its message flashed as success)."""
    try:
        message = work()
        db.session.commit()
    except (Refused, StaleDataError) as error:
        db.session.rollback()
        flash(str(error) if isinstance(error, Refused) else STALE_MESSAGE, "danger")
        return False
    if message:
        flash(message, "success")
    return True
