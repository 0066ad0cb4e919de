"""Timed work from the command line (SPEC §10): the reminder run the
scheduler's job does, and the recompute of stored deadlines. The scheduler
itself: tests/integration/test_jobs.py and test_worker_processes.py."""
from datetime import date

from casesys.domain.enums import Role


def test_reminders_command(runner, db, factory):
    officer = factory.user(Role.OFFICER)
    factory.case(officer, received_on=date(2026, 11, 23))
    result = runner.invoke(args=["reminders", "--date", "2026-11-26"])
    assert "新提醒 1 条" in result.output
    assert "新提醒 0 条" in runner.invoke(args=["reminders", "--date", "2026-11-26"]).output


def test_recompute_command(runner, factory):
    officer = factory.user(Role.OFFICER)
    factory.case(officer)
    result = runner.invoke(args=["calendar", "recompute"])
    assert result.exit_code == 0 and "已重算 1 件" in result.output
