"""Command line: `flask --app wsgi calendar …`, `reminders`."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from casesys.extensions import db
from casesys.jobs.worker import run_due_jobs

calendar_cli = AppGroup("calendar", help="工作日历：期限计算、导入、重算")


@calendar_cli.command("due")
@click.argument("start", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.argument("amount", type=click.IntRange(min=0))
@click.option("--unit", type=click.Choice(["working", "calendar", "months"]), default="working", show_default=True)
@click.option("--stopped-days", type=click.IntRange(min=0), default=0, show_default=True,
              help="不计入期限的天数（中止、公告送达、鉴定），加在期间之后再顺延")
@click.option("--explain", is_flag=True, help="同时说明计算过程")
def due_command(start, amount, unit, stopped_days, explain):
    """Print the due date: START plus AMOUNT UNITs (SPEC §9)."""
    from casesys.adjudication.calendars import current_calendar
    from casesys.domain.calendar import Unit

    due = current_calendar().add(start.date(), amount, Unit(unit), stopped_days=stopped_days)
    click.echo(due.date.isoformat() + (" provisional" if due.provisional else ""))
    if explain:
        click.echo(due.explain())


@calendar_cli.command("seed")
def seed_command():
    """Load the built-in official schedules for years not yet entered."""
    from casesys.adjudication.calendars import seed_builtin_schedules

    count = seed_builtin_schedules()
    db.session.commit()
    click.echo(f"已导入 {count} 个年度的放假安排。")


@calendar_cli.command("recompute")
@click.option("--year", type=int, help="只重算期限涉及该年度的案件")
def recompute_command(year):
    """Recompute stored deadlines (after a new year's schedule is entered)."""
    import time

    from casesys.adjudication.recompute import cases_with_deadlines_in_year, recompute_deadlines

    started = time.perf_counter()
    only = cases_with_deadlines_in_year(year) if year else None
    with click.progressbar(length=0, label="重算期限") as bar:
        def progress(n, total):
            bar.length = total
            bar.update(n)

        count = recompute_deadlines(only_case_ids=only, progress=progress)
    db.session.commit()
    click.echo(f"已重算 {count} 件案件的期限，用时 {time.perf_counter() - started:.1f} 秒。")


@click.command("reminders")
@click.option("--date", "on_date", type=click.DateTime(formats=["%Y-%m-%d"]), help="按该日计算（默认今天）")
@with_appcontext
def reminders_command(on_date):
    """Create the due reminders now and e-mail them (once each); e-mails that
    fail stay queued for the worker to retry."""
    from casesys.adjudication.reminders import run_reminders
    from casesys.core import clock

    created, queued = run_reminders(on_date.date() if on_date else clock.today())
    db.session.commit()
    run_due_jobs(kinds={"reminders.email"})
    click.echo(f"新提醒 {created} 条，邮件 {queued} 封已排队发送。")
