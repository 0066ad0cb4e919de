"""`flask --app wsgi referrals keygen | pubkey`: the office's signing key for
the exchange between instances (SPEC §6)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from casesys.referrals.signing import KeyMissing, generate_key, key_path, own_public_key

referrals_cli = AppGroup("referrals", help="跨区域协作：签名密钥")


@referrals_cli.command("keygen")
@click.option("--path", "path", type=click.Path(dir_okay=False), default=None,
              help="私钥文件（默认为设置 REFERRALS_PRIVATE_KEY）")
@click.option("--force", is_flag=True, help="覆盖已有私钥（对方须重新登记新公钥）")
def keygen(path: str | None, force: bool):
    """Make the office's Ed25519 key pair; print the public key for the partners' administrators."""
    target = Path(path) if path else key_path()
    try:
        public = generate_key(target, overwrite=force)
    except FileExistsError:
        raise click.ClickException(f"私钥文件已存在：{target}（如确需更换，请加 --force）") from None
    click.echo(f"私钥已写入 {target}（仅所有者可读，请勿放入数据库或版本库）")
    click.echo(f"公钥（请交对方管理员登记）：{public}")


@referrals_cli.command("pubkey")
def pubkey():
    """Print the public key of this instance."""
    try:
        click.echo(own_public_key())
    except KeyMissing as error:
        raise click.ClickException(str(error)) from None
