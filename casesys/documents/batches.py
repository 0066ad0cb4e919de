"""Batch printing (SPEC §8): one merged PDF of many frozen documents, built
by the worker as a job. Each document's frozen PDF is spooled to its own
file as it is read (one in memory at a time), so a worker killed mid-batch
leaves the spooled part behind and the next attempt resumes after it; the
merge then streams the parts into the final file (qpdf reads each page's
data from its part while writing, not all pages into memory first)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from casesys.core import clock
from casesys.documents.models import Document, PrintBatch
from casesys.domain.documents import PRINT_BATCH, BatchMove, DocumentStatus
from casesys.extensions import db
from casesys.jobs import enqueue, job_handler

# Parts merged per step: keeps the number of open files bounded.
MERGE_FAN_IN = 200


def batch_dir() -> Path:
    path = Path(current_app.config["BATCH_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def batch_file(batch: PrintBatch) -> Path:
    return batch_dir() / f"batch-{batch.id}.pdf"


def start_batch(document_ids: list[int], *, actor_id: int) -> PrintBatch:
    """The batch and its job, in the caller's unit of work (flush, no commit)."""
    batch = PrintBatch(requested_by_id=actor_id, document_ids=document_ids, total=len(document_ids))
    db.session.add(batch)
    db.session.flush()
    batch.job_id = enqueue("documents.print_batch", {"batch_id": batch.id}, requested_by=actor_id).id
    db.session.flush()
    return batch


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_suffix(".part")
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)


def merge_pdfs(parts: list[Path], target: Path) -> int:
    """Merge `parts` into `target` (written atomically); the page count."""
    import pikepdf

    if len(parts) > MERGE_FAN_IN:  # merge in groups first, then the groups
        groups = []
        for start in range(0, len(parts), MERGE_FAN_IN):
            group = target.with_name(f"{target.stem}.g{start // MERGE_FAN_IN}.pdf")
            merge_pdfs(parts[start:start + MERGE_FAN_IN], group)
            groups.append(group)
        pages = merge_pdfs(groups, target)
        for group in groups:
            group.unlink()
        return pages
    sources = []
    try:
        with pikepdf.Pdf.new() as merged:
            for part in parts:
                source = pikepdf.Pdf.open(part)
                sources.append(source)
                merged.pages.extend(source.pages)
            partial = target.with_suffix(".part")
            merged.save(partial)
            pages = len(merged.pages)
        partial.replace(target)
        return pages
    finally:
        for source in sources:
            source.close()


@job_handler("documents.print_batch", max_attempts=5, label="批量打印")
def build_batch(job, progress) -> dict:
    batch = db.session.get(PrintBatch, int(job.payload["batch_id"]))
    spool = batch_dir() / f"batch-{batch.id}.parts"
    spool.mkdir(exist_ok=True)
    batch.status, batch.error = PRINT_BATCH.next(batch.status, BatchMove.START), ""
    parts, resumed = [], 0
    for number, document_id in enumerate(batch.document_ids, start=1):
        part = spool / f"{number:06d}.pdf"
        if part.exists():  # spooled by an attempt whose worker died
            resumed += 1
        else:
            data = db.session.scalar(sa.select(Document.pdf).where(Document.id == document_id,
                                                                 Document.status == DocumentStatus.APPROVED))
            if not data:
                continue  # withdrawn meanwhile: printed without it
            _write_atomically(part, data)
        parts.append(part)
        batch.done = number
        progress(number, batch.total)
    pages = merge_pdfs(parts, batch_file(batch)) if parts else 0
    shutil.rmtree(spool, ignore_errors=True)
    batch.status = PRINT_BATCH.next(batch.status, BatchMove.FINISH)
    batch.done, batch.finished_at = batch.total, clock.utcnow()
    return {"batch_id": batch.id, "documents": len(parts), "pages": pages, "resumed": resumed}
