"""Every list as CSV or XLSX (SPEC §10: all exportable), from one place.

A page asks `export_format()`; if the URL carries `?format=csv|xlsx` it
returns `export_list(name, fmt)` (a list registered below with `list_export`,
rebuilt from the page's URL arguments) or `export_response(...)` (a short
table) with its Chinese column headers and an iterable of rows. Rows are
consumed one at a time:
- CSV (UTF-8 with BOM, so Excel opens Chinese correctly) is streamed to the
  client as it is produced;
- XLSX is written by openpyxl in write-only mode, which flushes each row to
  a temporary file, and that file is then streamed in chunks.
So 100,000 rows are never held in memory. An XLSX of more rows than the
setting `export_job_rows` is made by a durable job instead (writing 100,000
rows takes minutes, too long for a request): the user follows it at
/jobs/<id> and downloads the file from there; only the requester and the
administrators may. Every export is audited: who exported what (page,
filters, format), and who downloaded a file made by a job.
"""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Response, request, stream_with_context
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from casesys.auth.models import User
from casesys.core import clock
from casesys.core.units import unit_of_work
from casesys.extensions import db
from casesys.jobs import enqueue

FORMATS = ("csv", "xlsx")
CHUNK = 64 * 1024
ROWS_PER_CHUNK = 500
MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | int | date | pct | days
    width: int = 14


def export_format(args=None) -> str | None:
    value = (args if args is not None else request.args).get("format", "")
    return value if value in FORMATS else None


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([c.header for c in columns])
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, columns)])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


Sheet = tuple  # (title, columns, rows)


def write_xlsx(path: str, sheets: Iterable[Sheet]) -> int:
    """Write the sheets to an XLSX file (write-only: each row goes to disk as
    it is appended); returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    formats = {"pct": "0.0%", "days": "0.0"}
    count = 0
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "Sheet")
        for index, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        special = [(i, formats[c.kind]) for i, c in enumerate(columns) if c.kind in formats]
        for row in rows:
            values = list(row)
            for index, number_format in special:
                if values[index] is not None:
                    cell = WriteOnlyCell(sheet, value=values[index])
                    cell.number_format = number_format
                    values[index] = cell
            # Dates are written as dates (openpyxl gives them the yyyy-mm-dd format).
            sheet.append(values)
            count += 1
    workbook.save(path)
    return count


def _file_chunks(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def audit_export(what: str, fmt: str, **more) -> None:
    """SPEC §2: who took what out of the register, and when."""
    from casesys.core.audit import record_audit

    record_audit("exports", "export", {"what": what, "format": fmt, "url": request.full_path.rstrip("?"), **more},
                 actor_id=current_user.id if current_user.is_authenticated else None)


def _content_disposition(name: str, title: str, fmt: str, day: date) -> str:
    from urllib.parse import quote

    return (f"attachment; filename=\"{name}.{fmt}\"; "
            f"filename*=UTF-8''{quote(f'{title}-{name}-{day.isoformat()}.{fmt}')}")


def export_response(name: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
                    fmt: str, *, more_sheets: Sequence[Sheet] = (), sheet_title: str = "") -> Response:
    """The file download of a page's list (XLSX: and `more_sheets`); the
    audit row is committed first."""
    with unit_of_work():
        audit_export(title, fmt)
    if fmt == "csv":
        body = stream_with_context(csv_chunks(columns, rows))
    else:
        handle = tempfile.NamedTemporaryFile(prefix="casesys-export-", suffix=".xlsx", delete=False)  # noqa: SIM115  (a name to fill)
        handle.close()
        try:
            write_xlsx(handle.name, [(sheet_title or title, columns, rows), *more_sheets])
        except BaseException:
            os.unlink(handle.name)
            raise
        body = _file_chunks(handle.name)
    response = Response(body, mimetype=MIME[fmt].split(";")[0], content_type=MIME[fmt])
    response.headers["Content-Disposition"] = _content_disposition(name, title, fmt, clock.today())
    response.headers["Cache-Control"] = "no-store"
    return response


# --- what each page exports -----------------------------------------------------------

def table_sheet(table: dict) -> Sheet:
    """A dashboard (or report) table as a sheet: its headers and the values of
    its cells; a column mixing counts and a rate is written as text."""
    columns = []
    for index, header in enumerate(table["headers"]):
        kinds = {row[index].get("fmt", "text") for row in table["rows"] if index < len(row)}
        kind = kinds.pop() if len(kinds) == 1 else "text"
        columns.append(Column(header, kind, 24 if index == 0 else 14))

    def typed(c: dict, column: Column):
        value = c.get("v")
        if value is None:
            return None
        if column.kind == "date":
            return date.fromisoformat(value)
        if column.kind == "text":
            return _csv_value(value, c.get("fmt", "text"))
        return value

    rows = ([typed(c, column) for c, column in zip(row, columns)] for row in table["rows"])
    return table["title"], columns, rows


def table_export(table: dict, fmt: str) -> Response:
    title, columns, rows = table_sheet(table)
    return export_response(f"dashboard-{table['key']}", title, columns, rows, fmt)


# --- the long lists: rebuilt from the page's URL, in the request or in a job ------------

@dataclass(frozen=True)
class ListExport:
    name: str
    columns: Sequence[Column]
    # (user, URL arguments, today) -> (title, number of rows, rows)
    build: Callable[[Any, MultiDict, date], tuple[str, int, Iterable[Sequence]]]


EXPORTS: dict[str, ListExport] = {}
JOB_KIND = "oversight.export"  # the kind of the rows already stored


def list_export(name: str, columns: Sequence[Column]):
    """Register how a page's list is rebuilt from its URL arguments."""
    def register(build):
        EXPORTS[name] = ListExport(name, columns, build)
        return build
    return register


def export_list(name: str, fmt: str) -> Response:
    """The page's list as a file now, or — an XLSX above the setting
    `export_job_rows` — as a job whose page the user is sent to."""
    from flask import flash, redirect, url_for

    from casesys.core.settings import get_setting

    spec = EXPORTS[name]
    args = {k: v for k, v in request.args.items() if k not in ("format", "page")}
    today = clock.today()
    title, count, rows = spec.build(current_user, MultiDict(args), today)
    if fmt == "xlsx" and count > int(get_setting("export_job_rows")):
        with unit_of_work() as unit:
            job = enqueue(JOB_KIND, {"export": name, "args": args, "format": fmt, "today": today.isoformat(),
                                     "title": title, "rows": count}, requested_by=current_user.id)
            audit_export(title, fmt, rows=count, job_id=job.id)
        if not unit.ok:  # the list again, the refusal above it
            return redirect(url_for(request.endpoint, **(request.view_args or {}), **args))
        flash(f"共 {count} 行，导出文件正在后台生成；完成后在本页下载。", "info")
        return redirect(url_for("jobs.detail", job_id=job.id))
    return export_response(spec.name, title, spec.columns, rows, fmt)


def export_dir() -> Path:
    from flask import current_app

    path = Path(current_app.config["EXPORT_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_file(job) -> Path:
    return export_dir() / f"export-{job.id}.{job.payload['format']}"


def remove_old_exports() -> int:
    """Files of exports older than EXPORT_KEEP_DAYS are removed (their jobs stay,
    with the audit rows); how many."""
    import time

    from flask import current_app

    cutoff = time.time() - int(current_app.config.get("EXPORT_KEEP_DAYS", 7)) * 86400
    removed = 0
    for path in export_dir().glob("export-*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _counted(rows: Iterable[Sequence], total: int, progress, every: int = 1000) -> Iterator[Sequence]:
    done = 0
    for done, row in enumerate(rows, 1):
        yield row
        if done % every == 0:
            progress(done, total)
    progress(done, total)


def write_export(job, progress) -> dict:
    """The job's file, written beside its final name and renamed when whole
    (a worker that dies leaves no half file to download; the next attempt
    starts again)."""
    user = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if user is None or not user.active:
        raise PermissionError("申请导出的用户已停用，不再生成文件。")
    spec = EXPORTS[job.payload["export"]]
    fmt = job.payload["format"]
    title, count, rows = spec.build(user, MultiDict(job.payload["args"]), date.fromisoformat(job.payload["today"]))
    progress(0, count)
    target = export_file(job)
    partial = target.with_name(target.name + ".part")
    rows = _counted(rows, count, progress)
    if fmt == "csv":
        with open(partial, "wb") as out:
            for chunk in csv_chunks(spec.columns, rows):
                out.write(chunk)
        written = count
    else:
        written = write_xlsx(str(partial), [(title, spec.columns, rows)])
    partial.replace(target)
    return {"rows": written, "bytes": target.stat().st_size}


def download_response(job) -> Response:
    """The file a finished export job made, audited as a download."""
    from flask import send_file

    path = export_file(job)
    with unit_of_work():
        audit_export(job.payload.get("title", ""), job.payload["format"], job_id=job.id, downloaded=True)
    response = send_file(path, mimetype=MIME[job.payload["format"]].split(";")[0], as_attachment=True,
                         download_name=f"{job.payload['export']}.{job.payload['format']}", max_age=0)
    response.headers["Content-Disposition"] = _content_disposition(
        job.payload["export"], job.payload.get("title", ""), job.payload["format"],
        date.fromisoformat(job.payload["today"]))
    response.headers["Cache-Control"] = "no-store"
    return response
