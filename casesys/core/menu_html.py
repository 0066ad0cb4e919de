"""The menu bar's HTML, kept (issue 12): its entries and links are the same
on every page a user of the same roles opens from the same place, and
rendering them (a dozen links) cost a fifth of a small page. It is kept
under all it is rendered from — the roles (every entry's predicate reads
them alone), the page's endpoint (the active entry) and the badge counts —
so nothing is ever stale; the user's name and the logout form's CSRF token
are rendered outside it."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from markupsafe import Markup

from casesys.core.fragments import kept_rows
from casesys.core.registry import menu


def kept_menu(part: str, badges: dict | None) -> Markup:
    """The entries of the menu bar (`main`, with the administration menu) or of the user's menu (`user`)."""
    badges = badges or {}
    roles = tuple(sorted(role.value for role in current_user.roles))
    key = ("menu", part, request.script_root, request.endpoint, roles, tuple(sorted(badges.items())))
    return kept_rows([key], lambda missing: [_render(part, badges)])[0]


def _render(part: str, badges: dict) -> str:
    macros = current_app.jinja_env.get_template("_menu.html").module
    endpoint = request.endpoint
    if part == "main":
        return macros.main(menu.of("main", current_user), menu.of("admin", current_user), endpoint, badges)  # type: ignore[attr-defined]
    return macros.user(menu.of("user", current_user), endpoint, badges)  # type: ignore[attr-defined]
