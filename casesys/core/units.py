"""One unit of work per request (STYLE §4, issue 10.6): the only place a
request's changes are committed or rolled back. Views run the services
inside `unit_of_work` (or hand them to `commit_unit`); a refusal, a stale
version or a database constraint rolls everything back and is told in
Chinese — at its form field when the form has it, else as a message —
never as a 500. A test keeps `db.session.commit()` out of every module
that serves pages."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, flash
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from casesys.domain.errors import Refused
from casesys.extensions import db

STALE_MESSAGE = "该记录已被他人修改，请刷新页面查看最新内容后重试。"
CONFLICT_MESSAGE = "未能保存：与已有的记录冲突（例如编号或名称重复），或已被他人同时修改。请刷新页面后重试。"


@dataclass
class Unit:
    ok: bool = False
    error: Exception | None = None  # the refusal, when not ok


def _tell(error: Exception, message: str, form, at: dict) -> None:
    """At its field, when the form has it; several fields' messages at them,
    with the whole message above; otherwise the message above the page."""
    field = getattr(error, "field", None) or next((f for kind, f in at.items() if isinstance(error, kind)), None)
    if form is not None and field and field in form:
        form[field].errors = [*form[field].errors, message]
        return
    for key, text in getattr(error, "fields", {}).items():
        if form is not None and key in form:
            form[key].errors = [*form[key].errors, text]
    flash(message, "danger")


@contextmanager
def unit_of_work(form=None, *, at: dict[type[Exception], str] | None = None, stale: str = STALE_MESSAGE,
                 keep: tuple[type[Exception], ...] = ()) -> Iterator[Unit]:
    """Commit what the block did, or roll it back and say why (`unit.ok`
    tells which). `at`: the form field each kind of refusal is shown at
    (else its own `field`, else a message). `keep`: refusals after which what
    was done is committed all the same (a refused login still counts), then
    reported."""
    at = at or {}
    unit = Unit()
    try:
        yield unit
        db.session.commit()  # a constraint may first refuse here, at the flush
    except keep as error:
        db.session.commit()
        unit.error = error
        _tell(error, str(error), form, at)
        return
    except (Refused, StaleDataError, IntegrityError) as error:
        db.session.rollback()
        unit.error = error
        if isinstance(error, IntegrityError):
            current_app.logger.warning("refused by the database: %s", error.orig)
        message = str(error) if isinstance(error, Refused) else stale if isinstance(error, StaleDataError) \
            else CONFLICT_MESSAGE
        _tell(error, message, form, at)
        return
    except BaseException:
        db.session.rollback()
        raise
    unit.ok = True


def commit_unit(work: Callable[[], str | None], *, form=None, stale: str = STALE_MESSAGE) -> bool:
    """True if the work was committed (its message flashed as success)."""
    with unit_of_work(form, stale=stale) as unit:
        message = work()
    if unit.ok and message:
        flash(message, "success")
    return unit.ok
