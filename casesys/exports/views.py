"""The download of a file an export job made."""
from flask import abort
from flask_login import login_required

from casesys.auth.permissions import can_view_job, get_or_abort
from casesys.exports import bp
from casesys.exports.lists import JOB_KIND, download_response, export_file
from casesys.jobs.models import Job


@bp.get("/exports/<int:job_id>")
@login_required
def download(job_id: int):
    """The file an export job made: for the user who asked and the administrators."""
    job = get_or_abort(Job, job_id, lambda user, job: job.kind == JOB_KIND and can_view_job(user, job))
    if job.state != "done" or not export_file(job).exists():
        abort(404)
    return download_response(job)
