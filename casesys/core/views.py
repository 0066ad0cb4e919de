"""Home page and health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, redirect, url_for
from flask_login import current_user

from casesys.core import bp
from casesys.core.registry import home_endpoint
from casesys.extensions import db


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)[0]))  # where auth says the user belongs
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz():
    """No login; the baseline of `make bench`."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database=database, dialect=db.engine.dialect.name)
