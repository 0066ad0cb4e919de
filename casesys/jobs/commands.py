"""`flask --app wsgi worker`: run background jobs and the timed jobs."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--no-scheduler", is_flag=True, help="不参与定时任务（只执行队列中的任务）")
@click.option("--poll", default=1.0, show_default=True, help="队列为空时的轮询间隔（秒）")
@with_appcontext
def worker_command(no_scheduler: bool, poll: float):
    """Run queued jobs until stopped (SIGTERM/Ctrl+C: after the current job).
    One worker among all holds the scheduler lock and runs the timed jobs."""
    from casesys.jobs.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    worker = Worker(app, poll_seconds=poll, with_scheduler=not no_scheduler)
    click.echo(f"后台任务进程 {worker.name} 已启动，按 Ctrl+C 停止。")
    worker.run()
