"""`flask --app wsgi credit scan`: create the credit record candidates the
register shows (repeat infringement, mediation terms overdue), e.g. nightly."""
from __future__ import annotations

import click
from flask.cli import AppGroup

credit_cli = AppGroup("credit", help="信用监管")


@credit_cli.command("scan")
def scan_command():
    """Each finding becomes one candidate, however often this runs."""
    from casesys.credit.services import scan_candidates
    from casesys.extensions import db

    created = scan_candidates()
    db.session.commit()
    click.echo(f"新增信用记录候选 {len(created)} 条，待负责人审核。")
