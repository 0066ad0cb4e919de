"""casesys — the case system of the Hubei IP office (application factory)."""
from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask

# Statutory periods run on the office's calendar days: "today" is the date in
# Beijing (Asia/Shanghai), also when the server's clock is set to UTC.
# Stored timestamps stay in UTC (casesys.core.clock.utcnow).
os.environ.setdefault("TZ", os.environ.get("CASESYS_TZ", "Asia/Shanghai"))
time.tzset()

from config import CONFIGS, INSTANCE_DIR  # noqa: E402  (after the time zone is set)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config_name = config_name or os.environ.get("CASESYS_ENV", "development")
    config_class = CONFIGS[config_name]
    if hasattr(config_class, "check"):
        config_class.check()
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config_class)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    if app.config["TRUSTED_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (login throttle, records) and scheme as the proxies saw them.
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

    register_extensions(app)
    register_input_guards(app)
    register_features(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    from sqlalchemy.orm import Session

    from casesys import models  # noqa: F401  (every model is known to Alembic)
    from casesys.adjudication.next_deadline import install_next_deadline_hook
    from casesys.core.audit import install_audit_hook
    from casesys.core.database import configure_engine_events
    from casesys.core.tallies import install_tally_hook
    from casesys.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    install_audit_hook(Session)
    install_next_deadline_hook(Session)  # each case's next open deadline, wherever deadlines are stored
    install_tally_hook(Session)  # the counts the features register (workload, mediators' dashboard)
    with app.app_context():
        configure_engine_events(db.engine)


def register_input_guards(app: Flask) -> None:
    """Bounded ids in every route, no NUL in any request (before the routes exist)."""
    from casesys.core.inputs import install

    install(app)


def register_features(app: Flask) -> None:
    """The app is put together here (issue 10.7): each feature, bottom up,
    adds its routes, job handlers, menu entries and the answers it gives to
    the hooks of the packages below it (casesys.core.registry)."""
    from casesys import (
        adjudication,
        admin,
        auth,
        casepage,
        cases,
        credit,
        desk,
        documents,
        exports,
        jobs,
        mediation,
        oversight,
        public,
        referrals,
    )

    for feature in (auth, jobs, exports, cases, adjudication, mediation, documents, credit, referrals, public,
                    casepage, desk, oversight, admin):
        feature.init_app(app)


def register_blueprints(app: Flask) -> None:
    from casesys.adjudication import bp as adjudication_bp
    from casesys.admin import bp as admin_bp
    from casesys.auth import bp as auth_bp
    from casesys.cases import bp as cases_bp
    from casesys.core import bp as core_bp
    from casesys.credit import bp as credit_bp
    from casesys.documents import bp as documents_bp
    from casesys.exports import bp as exports_bp
    from casesys.jobs import bp as jobs_bp
    from casesys.mediation import bp as mediation_bp
    from casesys.oversight import bp as oversight_bp
    from casesys.public import bp as public_bp
    from casesys.public import manage_bp as publishing_bp
    from casesys.referrals import bp as referrals_bp
    from casesys.referrals import exchange_bp

    for bp in (core_bp, auth_bp, cases_bp, adjudication_bp, mediation_bp, documents_bp, admin_bp,
               credit_bp, public_bp, publishing_bp, oversight_bp,
               referrals_bp, exchange_bp, jobs_bp, exports_bp):
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from casesys.core.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from casesys.core.security_headers import install_security_headers

    install_security_headers(app)


def register_commands(app: Flask) -> None:
    from casesys.adjudication.commands import calendar_cli, reminders_command
    from casesys.auth.commands import create_user_command
    from casesys.credit.commands import credit_cli
    from casesys.demo.data import demo_data_command
    from casesys.documents.commands import document_cli
    from casesys.jobs.commands import worker_command
    from casesys.referrals.commands import referrals_cli

    for command in (create_user_command, demo_data_command, calendar_cli, reminders_command, document_cli,
                    credit_cli, referrals_cli, worker_command):
        app.cli.add_command(command)


def register_template_helpers(app: Flask) -> None:
    from casesys.auth import permissions
    from casesys.core import labels
    from casesys.core.formsets import blank_row
    from casesys.core.menu_html import kept_menu
    from casesys.core.timefmt import local_datetime
    from casesys.domain.deadlines import urgency
    from casesys.domain.mediation import term_status
    from casesys.domain.workflow import Action

    app.jinja_env.globals.update(
        perm=permissions, labels=labels, kept_menu=kept_menu, blank_row=blank_row, deadline_urgency=urgency,
        labels_action=lambda value: Action.label_of(value), approval_summary=labels.approval_summary,
        term_status=term_status,
    )
    app.jinja_env.filters["local"] = local_datetime
    from casesys.domain.untrusted import safe_url

    # Stored links are shown as links only when they are http(s) (issue 11).
    app.jinja_env.filters["safe_url"] = safe_url
    from casesys.documents.formatting import doc_date, doc_datetime

    # One way to write dates and times in documents: 12月8日9时30分.
    app.jinja_env.filters["docdate"] = doc_date
    from casesys.core.settings import get_setting

    # The upload hint states the limit an administrator set (SPEC §2).
    app.jinja_env.globals["upload_limit_mb"] = lambda: int(get_setting("upload_max_mb"))
    app.jinja_env.filters["docdatetime"] = doc_datetime
