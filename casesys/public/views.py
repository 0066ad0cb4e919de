"""The public site (SPEC §7): no login; only published, anonymised content;
random slugs; a withdrawn item answers 410, an unknown one 404."""
from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort, render_template, request

from casesys.core import clock
from casesys.credit.models import CreditRecord
from casesys.credit.services import public_records_clause
from casesys.domain.credit import CreditState
from casesys.domain.enums import PatentType
from casesys.extensions import db
from casesys.public import bp
from casesys.public.models import Publication
from casesys.public.services import (
    PublicQuery,
    public_name,
    public_offices,
    published_ruling_of,
    search_dishonesty,
    search_publications,
)

PER_PAGE = 20


@bp.app_template_global()
def public_subject(record: CreditRecord) -> str:
    return public_name(record)


def _gone():
    return render_template("public/gone.html"), 410


@bp.errorhandler(404)
def not_found(_error):
    return render_template("public/not_found.html"), 404


def _search_page(query: PublicQuery):
    today = clock.today()
    if query.kind == "dishonesty":
        items, total = [], 0
        records, records_total = search_dishonesty(query, today=today, per_page=PER_PAGE)
    else:
        items, total = search_publications(query, per_page=PER_PAGE)
        records, records_total = (search_dishonesty(query, today=today, per_page=5) if not query.kind
                                  else ([], 0))
    return render_template("public/index.html", query=query, items=items, total=total, records=records,
                           records_total=records_total, offices=public_offices(), patent_types=PatentType.choices(),
                           per_page=PER_PAGE)


@bp.get("/")
def index():
    return _search_page(PublicQuery.from_args(request.args))


def _publication(slug: str, kind: str) -> Publication | None:
    publication = db.session.scalar(sa.select(Publication).where(Publication.slug == slug[:24],
                                                                 Publication.kind == kind))
    if publication is None or publication.state in ("pending", "returned"):
        abort(404)
    return publication


@bp.get("/rulings/<slug>")
def ruling(slug: str):
    publication = _publication(slug, "ruling")
    if publication.state == "withdrawn":
        return _gone()
    return render_template("public/ruling.html", item=publication, c=publication.content)


@bp.get("/rulings/<slug>.pdf")
def ruling_pdf(slug: str):
    publication = _publication(slug, "ruling")
    if publication.state == "withdrawn":
        return _gone()
    response = Response(publication.pdf, mimetype="application/pdf")
    name = quote(f"行政裁决书（公开版）-{publication.content.get('number', '')}.pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    return response


@bp.get("/typical/<slug>")
def typical(slug: str):
    publication = _publication(slug, "typical")
    if publication.state == "withdrawn":
        return _gone()
    return render_template("public/typical.html", item=publication, c=publication.content,
                           ruling=published_ruling_of(publication.case_id))


@bp.get("/dishonesty/<slug>")
def dishonesty(slug: str):
    today = clock.today()
    record = db.session.scalar(sa.select(CreditRecord).where(CreditRecord.slug == slug[:24]))
    if record is None:
        abort(404)
    if record.state == CreditState.WITHDRAWN:
        was_public = (record.objection_due_on is not None and record.withdrawn_at is not None
                      and record.withdrawn_at.date() > record.objection_due_on)
        return _gone() if was_public else abort(404)
    shown = db.session.scalar(sa.select(CreditRecord.id).where(CreditRecord.id == record.id,
                                                               public_records_clause(today)))
    if shown is None:
        if record.state == CreditState.NOTIFIED and record.publish_until and today > record.publish_until:
            return _gone()  # the publication period is over
        abort(404)
    return render_template("public/dishonesty.html", record=record, ruling=published_ruling_of(record.case_id))
