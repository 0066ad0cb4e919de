"""Evidence files: checked by content, stored outside the web root under
their SHA-256 (SPEC §2). Identical files are stored once."""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask import current_app

from casesys.domain.errors import Refused
from casesys.domain.untrusted import clean_filename

# What the office accepts, by detected content type → allowed name endings.
ALLOWED_TYPES = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
CHUNK = 1024 * 1024


class UploadRejected(Refused, ValueError):
    """The message is shown to the user at the upload field."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    filename: str


def _size_of(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(stream: BinaryIO, filename: str, max_bytes: int) -> str:
    """The detected content type, or UploadRejected with a Chinese message."""
    size = _size_of(stream)
    if size == 0:
        raise UploadRejected("文件为空")
    if size > max_bytes:
        raise UploadRejected(f"文件过大：上限为 {max_bytes // (1024 * 1024)} MB")
    head = stream.read(261)
    stream.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UploadRejected("文件类型不支持：只接受 PDF、JPEG、PNG 文件")
    suffix = Path(clean_filename(filename, "")).suffix.lower()
    if suffix not in ALLOWED_TYPES[kind.mime]:
        raise UploadRejected("文件扩展名与文件内容不符")
    return kind.mime


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def path_for(sha256: str) -> Path:
    return upload_root() / sha256[:2] / sha256


def save_upload(stream: BinaryIO, filename: str, content_type: str) -> StoredFile:
    """Write to a temporary file while hashing, then move into place."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=root, delete=False) as tmp:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            tmp.write(chunk)
            size += len(chunk)
    sha = digest.hexdigest()
    target = path_for(sha)
    target.parent.mkdir(exist_ok=True)
    if target.exists():
        os.unlink(tmp.name)
    else:
        os.replace(tmp.name, target)
    # Every upload (evidence, referral attachments, also those a partner sends) is named here.
    return StoredFile(sha256=sha, size=size, content_type=content_type, filename=clean_filename(filename))
