"""Batch printing (SPEC §8): one merged PDF of many frozen documents, built
in a background thread; progress is kept in the database so the page can be
reloaded or opened elsewhere."""
from __future__ import annotations

import io
import threading

import sqlalchemy as sa
from flask import Flask

from casesys.core.types import utcnow
from casesys.documents.models import Document, PrintBatch
from casesys.extensions import db


def start_batch(app: Flask, document_ids: list[int], *, actor_id: int, run_inline: bool = False) -> PrintBatch:
    batch = PrintBatch(requested_by_id=actor_id, document_ids=document_ids, total=len(document_ids))
    db.session.add(batch)
    db.session.commit()
    if run_inline:
        build_batch(app, batch.id)
    else:
        threading.Thread(target=build_batch, args=(app, batch.id), daemon=True).start()
    return batch


def build_batch(app: Flask, batch_id: int) -> None:
    from pypdf import PdfWriter

    with app.app_context():
        batch = db.session.get(PrintBatch, batch_id)
        batch.status = "running"
        db.session.commit()
        try:
            writer = PdfWriter()
            for number, document_id in enumerate(batch.document_ids, start=1):
                data = db.session.scalar(sa.select(Document.pdf).where(Document.id == document_id,
                                                                     Document.status == "approved"))
                if data:
                    writer.append(io.BytesIO(data))
                batch.done = number
                db.session.commit()
            out = io.BytesIO()
            writer.write(out)
            batch.pdf, batch.status, batch.finished_at = out.getvalue(), "finished", utcnow()
        except Exception as error:  # shown on the batch page; the job must not die silently
            db.session.rollback()
            batch = db.session.get(PrintBatch, batch_id)
            batch.status, batch.error = "failed", str(error)[:500]
        db.session.commit()
        db.session.remove()
