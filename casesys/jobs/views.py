"""Pages of background jobs: progress for the user who asked, and the
administrators' list with retry and cancel."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casesys.auth.permissions import can_view_job, get_or_abort, require_roles
from casesys.core.units import commit_unit
from casesys.domain.enums import Role
from casesys.domain.jobs import JobState
from casesys.extensions import db
from casesys.forms.jobs import JobActionForm
from casesys.jobs import bp
from casesys.jobs.models import Job
from casesys.jobs.services import cancel_job, retry_job

PER_PAGE = 50


def _job_or_abort(job_id: int) -> Job:
    return get_or_abort(Job, job_id, can_view_job)


@bp.get("/jobs/<int:job_id>")
@login_required
def detail(job_id: int):
    return render_template("jobs/detail.html", job=_job_or_abort(job_id), form=JobActionForm())


@bp.get("/jobs/<int:job_id>.json")
@login_required
def progress(job_id: int):
    return jsonify(_job_or_abort(job_id).as_json())


@bp.get("/admin/jobs")
@require_roles(Role.ADMIN)
def admin_index():
    state = request.args.get("state", "")
    query = sa.select(Job).order_by(Job.id.desc()).limit(PER_PAGE)
    if state in {s.value for s in JobState}:
        query = query.where(Job.state == state)
    counts = dict(db.session.execute(sa.select(Job.state, sa.func.count()).group_by(Job.state)).all())
    return render_template("jobs/admin.html", jobs=db.session.scalars(query).all(), state=state,
                           states=list(JobState), counts=counts, form=JobActionForm())


@bp.post("/admin/jobs/<int:job_id>/<any(retry, cancel):move>")
@require_roles(Role.ADMIN)
def admin_move(job_id: int, move: str):
    job = db.get_or_404(Job, job_id)
    if JobActionForm().validate_on_submit():
        service = retry_job if move == "retry" else cancel_job

        def work() -> str:
            service(job, actor=current_user)
            return f"任务 #{job.id} 已{'重新排队' if move == 'retry' else '取消'}。"

        commit_unit(work)
    return redirect(request.referrer or url_for("jobs.admin_index"))
