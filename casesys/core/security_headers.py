"""Security headers on every response (issue 11): a Content Security Policy
without inline script or style, no framing, no MIME sniffing, referrers
kept within the site, HSTS when the site runs on HTTPS, and no caching of
anything shown to a logged-in user (pages, JSON and PDFs carry case data).

One after_request instead of flask-talisman: Talisman's defaults redirect to
HTTPS and rewrite cookie flags (config.py owns those), and what it cannot do
— no-store by login, no CSP on PDFs — would be written here anyway.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_login import current_user

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",  # vendored Bootstrap and Chart.js and our static/js only
    "style-src 'self'",  # no style attributes either: see static/css/app.css
    "img-src 'self' data:",  # Bootstrap draws select arrows and close buttons as data: SVG
    "font-src 'self'",
    "connect-src 'self'",  # the progress pages poll our own JSON
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# Served inline: raster images and PDFs. An SVG or HTML upload would run its
# script under our origin if opened, so anything else is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})


def served_inline(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in INLINE_TYPES


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers without CSP 2
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # A PDF is no page: the policy would only keep Chromium's viewer from showing it.
    if response.mimetype != "application/pdf":
        headers.setdefault("Content-Security-Policy", CSP)
    max_age = current_app.config.get("HSTS_MAX_AGE", 0)
    if max_age:
        headers.setdefault("Strict-Transport-Security", f"max-age={int(max_age)}")
    if request.endpoint != "static" and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


def install_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
