"""The scheduler (SPEC §10): one process holds the lock; jobs coalesce and
never overlap; the reminder job runs the same code as the CLI."""
from datetime import date

from casesys.core.scheduler import JOB_DEFAULTS, TIMEZONE, blocking_scheduler, try_lock
from casesys.domain.enums import Role


def test_only_one_process_gets_the_scheduler_lock(tmp_path):
    path = tmp_path / "scheduler.lock"
    first = try_lock(path)
    assert first is not None
    assert try_lock(path) is None  # flock is per open file: a second opener is refused
    first.close()
    again = try_lock(path)
    assert again is not None
    again.close()


def test_scheduler_settings(app):
    scheduler = blocking_scheduler(app)
    assert str(scheduler.timezone) == TIMEZONE == "Asia/Shanghai"
    assert JOB_DEFAULTS["coalesce"] is True and JOB_DEFAULTS["max_instances"] == 1
    assert [job.id for job in scheduler.get_jobs()] == ["reminders"]


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
