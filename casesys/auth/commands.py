"""`flask --app wsgi create-user`."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from casesys.auth.models import Office, User
from casesys.auth.services import PasswordRefused, check_new_password, create_user
from casesys.domain.enums import Role
from casesys.extensions import db


@click.command("create-user")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="姓名")
@click.option("--office", "office_code", required=True, help="机关代码，如 HB")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice([r.value for r in Role]), help="角色，可多次给出")
@click.option("--email", default="")
@click.option("--province-wide", is_flag=True, help="可查看全省案件的负责人")
@click.password_option(help="密码（不给出则提示输入）")
@with_appcontext
def create_user_command(username, full_name, office_code, roles, email, province_wide, password):
    """Create a user account."""
    office = db.session.scalar(sa.select(Office).where(Office.code == office_code))
    if office is None:
        raise click.BadParameter(f"没有代码为 {office_code} 的机关", param_hint="--office")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise click.BadParameter(f"用户名 {username} 已存在", param_hint="USERNAME")
    try:
        check_new_password(password, username=username, full_name=full_name)
    except PasswordRefused as refused:
        raise click.BadParameter(str(refused), param_hint="--password") from None
    create_user(username=username, full_name=full_name, password=password, office=office,
                roles=[Role(r) for r in roles], email=email, province_wide=province_wide)
    db.session.commit()
    click.echo(f"已创建用户 {username}（{office.name}）")
