"""Login, logout, password change."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from casesys.auth import bp
from casesys.auth.models import User
from casesys.auth.services import (
    LoginThrottled,
    PasswordRefused,
    authenticate,
    change_password,
    end_session,
    load_session_user,
    reserve_login_attempt,
    start_session,
)
from casesys.core.units import unit_of_work
from casesys.extensions import login_manager
from casesys.forms.auth import ChangePasswordForm, LoginForm


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The cookie names a login on the server; logged out, expired or revoked → nobody.
    return load_session_user(user_id)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    form.remember.label.text = f"{current_app.config['REMEMBER_COOKIE_DURATION'].days}天内自动登录"
    if form.validate_on_submit():
        address = request.remote_addr or ""
        # Its own unit: parallel attempts see this one before its password is
        # checked, and a refused attempt counts too.
        with unit_of_work(form, at={LoginThrottled: "password"}, keep=(LoginThrottled,)) as unit:
            reserve_login_attempt(form.username.data, address)
        if not unit.ok:
            return render_template("auth/login.html", form=form)
        with unit_of_work(form) as unit:
            user = authenticate(form.username.data, form.password.data, address)
            if user is not None:
                start_session(user, remember=form.remember.data)
        if unit.ok and user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        if unit.ok:
            form.password.errors.append("用户名或密码错误。")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    with unit_of_work():
        end_session(current_user)
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("当前密码不正确")
        else:
            with unit_of_work(form, at={PasswordRefused: "new_password"}) as unit:
                change_password(current_user, form.new_password.data, current_password=form.current_password.data)
            if unit.ok:
                flash("密码已修改，其他设备上的登录已失效。", "success")
                return redirect(url_for("core.index"))
    return render_template("auth/password.html", form=form)
