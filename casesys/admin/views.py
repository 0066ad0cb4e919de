"""Administration: users, offices, configurable settings (SPEC §1)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casesys.auth.models import Office, User
from casesys.auth.permissions import require_roles
from casesys.admin import bp
from casesys.core.settings import SETTINGS, get_setting, set_setting
from casesys.domain.enums import Role
from casesys.extensions import db
from casesys.forms.admin import OfficeForm, UserForm, settings_form_class


@bp.get("/users")
@require_roles(Role.ADMIN)
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.office_id, User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def user_form(user_id: int | None):
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    form.office_id.choices = [(o.id, o.name) for o in db.session.scalars(sa.select(Office).order_by(Office.id))]
    if request.method == "GET" and user:
        form.roles.data = [r.value for r in user.roles]
    if form.validate_on_submit():
        clash = db.session.scalar(sa.select(User).where(User.username == form.username.data))
        if clash is not None and clash is not user:
            form.username.errors.append("该用户名已被使用")
        elif user is None and not form.password.data:
            form.password.errors.append("新建用户必须设置密码")
        else:
            user = user or User()
            for key in ("username", "full_name", "email", "office_id", "province_wide", "active"):
                setattr(user, key, form[key].data)
            user.roles = form.roles.data
            if form.password.data:
                user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            flash(f"用户 {user.username} 已保存。", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.get("/offices")
@require_roles(Role.ADMIN)
def offices():
    rows = db.session.scalars(sa.select(Office).order_by(Office.is_partner, Office.province, Office.id)).all()
    return render_template("admin/offices.html", offices=rows)


@bp.route("/offices/new", methods=["GET", "POST"], defaults={"office_id": None})
@bp.route("/offices/<int:office_id>/edit", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def office_form(office_id: int | None):
    office = db.session.get(Office, office_id) if office_id else None
    if office_id and office is None:
        abort(404)
    form = OfficeForm(obj=office if request.method == "GET" else None)
    if form.validate_on_submit():
        clash = db.session.scalar(sa.select(Office).where(Office.code == form.code.data))
        if clash is not None and clash is not office:
            form.code.errors.append("该机关代码已被使用")
        else:
            office = office or Office()
            form.populate_obj(office)
            db.session.add(office)
            db.session.commit()
            flash(f"{office.name} 已保存。", "success")
            return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=office)


@bp.route("/settings", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def settings():
    form = settings_form_class(SETTINGS)(data={key: get_setting(key) for key in SETTINGS})
    if form.validate_on_submit():
        for key in SETTINGS:
            set_setting(key, form[key].data, actor_id=current_user.id)
        db.session.commit()
        flash("设置已保存。", "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, settings=SETTINGS)
