"""Offices, users, logins and the one permission module (SPEC §1)."""
from flask import Blueprint

bp = Blueprint("auth", __name__)


def init_app(app) -> None:
    from casesys.auth import views  # noqa: F401  (the routes)
    from casesys.auth.permissions import home_endpoint
    from casesys.core.registry import MenuEntry, menu
    from casesys.core.registry import home_endpoint as home

    home.register(home_endpoint)
    menu.add(MenuEntry("user", 20, "修改密码", "auth.password", lambda user: user.is_authenticated, active=None))
