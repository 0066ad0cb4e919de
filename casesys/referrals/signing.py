"""Ed25519 keys and signatures of the exchange (SPEC §6). The office's
private key lives in a file outside the database (setting
REFERRALS_PRIVATE_KEY); partners register each other's public keys."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app


class KeyMissing(RuntimeError):
    """No private key: the administrator runs `flask --app wsgi referrals keygen`."""


def canonical(value) -> bytes:
    """The exact bytes that are signed, sent, hashed and stored."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_path() -> Path:
    return Path(current_app.config["REFERRALS_PRIVATE_KEY"])


def generate_key(path: Path, *, overwrite: bool = False) -> str:
    """Write a new private key (PEM, readable by the owner only); returns the public key."""
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return public_text(key.public_key())


_cache: dict[str, tuple[float, Ed25519PrivateKey]] = {}


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        raise KeyMissing("本机关尚未生成协作签名密钥（flask --app wsgi referrals keygen）") from None
    cached = _cache.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyMissing("签名密钥文件不是 Ed25519 私钥")
    _cache[str(path)] = (stamp, key)
    return key


def public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def own_public_key() -> str:
    return public_text(private_key().public_key())


def sign(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data)).decode("ascii")


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A registered key: 32 raw bytes in base64. ValueError with a Chinese message."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        raise ValueError("公钥格式无效：应为 Ed25519 公钥（44 个字符的 Base64）") from None


def verify(public_key: str, data: bytes, signature: str) -> bool:
    try:
        parse_public_key(public_key).verify(base64.b64decode(signature, validate=True), data)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False
