"""Real casesys instances side by side (SPEC §6 exchange): each with its own
database, upload folder, signing key, gunicorn on a free port of 127.0.0.1
and its own job worker. Used by the exchange tests, the browser test and
`bench/referrals.py`.

    hubei, jiangxi = pair(tmp, "sqlite")   # HB knows JX as a partner and vice versa
    with running(hubei, jiangxi):
        with hubei.context():  ... services, commit ...
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.faketime import child_environment

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "exchange-pass-1"
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Instance:
    name: str                 # the office code of the local office, e.g. HB
    office_name: str
    prefix: str
    province: str
    workdir: Path
    database_url: str
    max_message_bytes: int = 60 * 1024 * 1024
    port: int = field(default_factory=free_port)
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    _app: object = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def key_path(self) -> Path:
        return self.workdir / "referrals_ed25519.pem"

    def settings(self) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": self.database_url, "UPLOAD_DIR": str(self.workdir / "uploads"),
                "REFERRALS_PRIVATE_KEY": str(self.key_path), "REFERRALS_MAX_MESSAGE_BYTES": self.max_message_bytes,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "REFERRALS_HTTP_TIMEOUT": 10}

    def env(self) -> dict:
        env = child_environment()
        for key in ("TEST_DATABASE_URL", "SCHEDULER_IN_APP", "PYTEST_CURRENT_TEST"):
            env.pop(key, None)
        env.update({
            "CASESYS_ENV": "development", "SECRET_KEY": f"exchange-test-secret-{self.name}-0123456789abcdef",
            "DATABASE_URL": self.database_url, "UPLOAD_DIR": str(self.workdir / "uploads"),
            "REFERRALS_PRIVATE_KEY": str(self.key_path), "CASESYS_INSTANCE": str(self.workdir),
            "REFERRALS_MAX_MESSAGE_BYTES": str(self.max_message_bytes), "REFERRALS_HTTP_TIMEOUT": "10",
            # Retries come quickly here: a stopped partner is back within seconds.
            "JOB_BACKOFF_SECONDS": "1", "JOB_BACKOFF_CAP_SECONDS": "2", "JOB_TIMEOUT_SECONDS": "60",
        })
        return env

    # --- in-process access to this instance's database ----------------------
    def app(self):
        if self._app is None:
            from casesys import create_app

            self._app = create_app("development", **self.settings())
        return self._app

    @contextmanager
    def context(self) -> Iterator[None]:
        from casesys.extensions import db

        with self.app().app_context():
            try:
                yield
            finally:
                db.session.remove()

    def dispose(self) -> None:
        if self._app is not None:
            from casesys.extensions import db

            with self._app.app_context():
                db.engine.dispose()

    # --- processes ------------------------------------------------------------
    def _log(self, what: str):
        return open(self.workdir / f"{what}.log", "a")

    def start_server(self) -> None:
        with self._log("server") as log:
            self.server = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "--workers", "1", "--threads", "4", "--bind", f"{HOST}:{self.port}",
                 "--graceful-timeout", "5", "wsgi:app"],
                cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited, see {self.workdir / 'server.log'}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name}: no answer on {self.url}")

    def start_worker(self) -> None:
        with self._log("worker") as log:
            self.worker = subprocess.Popen(
                [str(VENV_BIN / "flask"), "--app", "wsgi", "worker", "--no-scheduler", "--poll", "0.2"],
                cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    @staticmethod
    def _stop(process: subprocess.Popen | None, *, hard: bool = False) -> None:
        """Stop the process and its children (its own session: gunicorn's
        workers die with a killed master)."""
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL if hard else signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        if hard:  # the group's other members: gone before the port is reused
            for _ in range(50):
                try:
                    os.killpg(process.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)

    def stop_server(self, *, hard: bool = False) -> None:
        self._stop(self.server, hard=hard)
        self.server = None

    def stop(self) -> None:
        self.stop_server()
        self._stop(self.worker)
        self.worker = None


def _database(url_base: str | None, name: str, workdir: Path) -> str:
    if url_base is None:
        return f"sqlite:///{workdir / 'casesys.db'}"
    base = sa.engine.make_url(url_base)
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_databases(postgres_url: str | None, *instances: Instance) -> None:
    if postgres_url is None:
        return
    engine = sa.create_engine(sa.engine.make_url(postgres_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for instance in instances:
            name = sa.engine.make_url(instance.database_url).database
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def pair(tmp: Path, postgres_url: str | None = None, *, max_message_bytes: int = 60 * 1024 * 1024
         ) -> tuple[Instance, Instance]:
    """Hubei's and Jiangxi's instances, migrated, keyed, and registered with
    each other (as their administrators would: URL and public key)."""
    from flask_migrate import upgrade

    from casesys.referrals.signing import generate_key

    tag = f"{os.getpid()}_{time.monotonic_ns() % 100000}"
    instances = []
    for code, name, prefix, province in (("HB", "湖北省知识产权局", "鄂知保", "湖北"),
                                         ("JX", "江西省知识产权局", "赣知保", "江西")):
        workdir = tmp / code
        workdir.mkdir(parents=True, exist_ok=True)
        url = _database(postgres_url, f"casesys_x_{code.lower()}_{tag}", workdir)
        instances.append(Instance(code, name, prefix, province, workdir, url, max_message_bytes))
    keys = {}
    for instance in instances:
        keys[instance.name] = generate_key(instance.key_path, overwrite=True)
        with instance.context():
            upgrade(directory=str(ROOT / "migrations"))
    for instance in instances:
        other = instances[1] if instance is instances[0] else instances[0]
        with instance.context():
            _register(instance, other, keys[other.name])
    return instances[0], instances[1]


def _register(local: Instance, partner: Instance, partner_key: str) -> None:
    from casesys.auth.models import Office
    from casesys.auth.services import create_user
    from casesys.domain.enums import OfficeLevel, Role
    from casesys.extensions import db

    office = Office(code=local.name, name=local.office_name, case_prefix=local.prefix, province=local.province,
                    level=OfficeLevel.PROVINCE)
    db.session.add_all([office, Office(
        code=partner.name, name=partner.office_name, case_prefix=partner.prefix, province=partner.province,
        level=OfficeLevel.PROVINCE, is_partner=True, instance_url=partner.url, public_key=partner_key,
        contact_person="协作联络员", contact_phone="027-00000000")])
    db.session.flush()
    slug = local.name.lower()
    create_user(username=f"{slug}_officer", full_name=f"{local.province}办案员", password=PASSWORD, office=office,
                roles=[Role.OFFICER])
    create_user(username=f"{slug}_supervisor", full_name=f"{local.province}负责人", password=PASSWORD,
                office=office, roles=[Role.SUPERVISOR])
    db.session.commit()


@contextmanager
def running(*instances: Instance) -> Iterator[None]:
    try:
        for instance in instances:
            instance.start_server()
            instance.start_worker()
        yield
    finally:
        for instance in instances:
            instance.stop()


def wait_for(predicate: Callable[[], object], *, timeout: float = 60, every: float = 0.2, what: str = ""):
    """Poll until `predicate()` is truthy; its value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(every)
