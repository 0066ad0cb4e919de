"""Login, logout, password change."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.orm import joinedload

from casesys.auth import bp
from casesys.auth.models import User
from casesys.auth.services import LoginThrottled, authenticate, change_password
from casesys.extensions import db, login_manager
from casesys.forms.auth import ChangePasswordForm, LoginForm


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    # One query per request for the user, its office and its roles.
    user = db.session.scalars(
        sa.select(User).options(joinedload(User.role_rows)).where(User.id == int(ident))
    ).unique().one_or_none()
    # A changed password rotates the token: older cookies stop working.
    if user is None or user.session_token != token:
        return None
    return user


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data, request.remote_addr or "")
        except LoginThrottled:
            db.session.rollback()
            form.password.errors.append("登录失败次数过多，请15分钟后再试。")
        else:
            db.session.commit()
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(_safe_next(request.args.get("next")))
            form.password.errors.append("用户名或密码错误。")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
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
            change_password(current_user, form.new_password.data)
            db.session.commit()
            login_user(current_user._get_current_object())  # this session goes on, new token
            flash("密码已修改，其他设备上的登录已失效。", "success")
            return redirect(url_for("core.index"))
    return render_template("auth/password.html", form=form)
