"""The job that writes a list too long for a request."""
from casesys.exports.lists import JOB_KIND, remove_old_exports, write_export
from casesys.jobs import job_handler


@job_handler(JOB_KIND, max_attempts=3, label="导出文件", download="exports.download")
def export_job(job, progress) -> dict:
    """A list too long to write within a request (SPEC §10, §11), written to
    EXPORT_DIR with progress; the requester downloads it from the job's page."""
    remove_old_exports()
    return write_export(job, progress)
