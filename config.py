"""Configuration classes, read from environment variables.

`create_app` picks one by `CASESYS_ENV` (development | test | production).
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CASESYS_INSTANCE", BASE_DIR / "instance"))
DEV_SECRET = "dev-only-not-secret"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'casesys.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Merged batch-print PDFs; shared storage when workers run on several machines.
    BATCH_DIR = os.environ.get("BATCH_DIR", str(INSTANCE_DIR / "batches"))
    # Export files made by jobs (large XLSX lists), kept EXPORT_KEEP_DAYS; shared storage likewise.
    EXPORT_DIR = os.environ.get("EXPORT_DIR", str(INSTANCE_DIR / "exports"))
    EXPORT_KEEP_DAYS = _env_int("EXPORT_KEEP_DAYS", 7)
    # Cookies: HttpOnly everywhere, SameSite=Lax; Secure in production (HTTPS).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Each login is a row on the server (issue 11): logout deletes it, a
    # 记住我 login ends after REMEMBER_COOKIE_DAYS, any other after
    # SESSION_MAX_HOURS, whatever cookie is replayed.
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_COOKIE_DAYS", 14))
    SESSION_MAX_LIFETIME = timedelta(hours=_env_int("SESSION_MAX_HOURS", 24))
    # Strict-Transport-Security max-age in seconds; 0 sends none (plain HTTP in development).
    HSTS_MAX_AGE = _env_int("HSTS_MAX_AGE", 0)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # WTForms' own Chinese catalogue (no Flask-Babel needed).
    WTF_I18N_ENABLED = False
    # Hard cap of a request body; the per-file limit is an admin setting (SPEC §2).
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 110 * 1024 * 1024)
    # Login throttling (per account and per address), counted in the database.
    LOGIN_MAX_FAILURES_PER_USER = _env_int("LOGIN_MAX_FAILURES_PER_USER", 5)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
    LOGIN_THROTTLE_WINDOW_MINUTES = _env_int("LOGIN_THROTTLE_WINDOW_MINUTES", 15)
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are
    # trusted (werkzeug ProxyFix); 0 = none, the peer address is the client.
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
    # Password policy (issue 11): length, and zxcvbn's score 0-4.
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_MIN_SCORE = _env_int("PASSWORD_MIN_SCORE", 3)
    CASES_PER_PAGE = 20
    # The register list and its searches count matches up to this many and
    # then say "more than": the count is what grew with the register (issue 12).
    # A list narrowed by any other filter (a dashboard figure) counts them all.
    CASE_LIST_COUNT_UP_TO = _env_int("CASE_LIST_COUNT_UP_TO", 1000)
    # Case pages and list rows kept rendered per worker process, and for how
    # long at most (casesys.core.fragments; 0: none kept). Their keys follow every change.
    CASE_PAGE_CACHE_SIZE = _env_int("CASE_PAGE_CACHE_SIZE", 500)
    LIST_ROW_CACHE_SIZE = _env_int("LIST_ROW_CACHE_SIZE", 20_000)
    FRAGMENT_CACHE_SECONDS = _env_int("FRAGMENT_CACHE_SECONDS", 600)
    # The dashboard's figures are recomputed when older than this (SPEC §10, §11).
    DASHBOARD_MAX_AGE_SECONDS = _env_int("DASHBOARD_MAX_AGE_SECONDS", 600)
    # Reminder e-mails (SPEC §10): sent only when SMTP_HOST is set.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "casesys@hbipa.example")
    # Background jobs (`flask --app wsgi worker`): a running job whose worker
    # has not beaten for JOB_TIMEOUT_SECONDS is taken over by another; a
    # failed try waits JOB_BACKOFF_SECONDS, doubling each time up to the cap.
    JOB_TIMEOUT_SECONDS = _env_int("JOB_TIMEOUT_SECONDS", 300)
    JOB_BACKOFF_SECONDS = _env_int("JOB_BACKOFF_SECONDS", 30)
    JOB_BACKOFF_CAP_SECONDS = _env_int("JOB_BACKOFF_CAP_SECONDS", 3600)
    # How often a worker that is not the scheduler tries to become it.
    SCHEDULER_ELECTION_SECONDS = _env_int("SCHEDULER_ELECTION_SECONDS", 15)
    # Timed jobs (SPEC §10), run by the one worker holding the scheduler lock.
    # Hourly reminders: idempotent, and a restarted scheduler catches up.
    TIMED_JOBS = [{"id": "reminders", "kind": "reminders.run", "trigger": "cron", "minute": 5}]
    DEMO_DATA_ALLOWED = True
    TIMEZONE = "Asia/Shanghai"
    # Documents (SPEC §8): the CJK face of the PDFs, and the address printed
    # under the QR code for online verification.
    PDF_FONT_FAMILY = os.environ.get("PDF_FONT_FAMILY", "Noto Serif CJK SC")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Issue 11: PDF renders at once per worker process (each takes a core for up
    # to seconds); a request waits this long for a slot, then gets 503 and
    # Retry-After. Rendered PDFs are kept by the hash of their HTML, up to the size.
    PDF_MAX_CONCURRENT_RENDERS = _env_int("PDF_MAX_CONCURRENT_RENDERS", 2)
    PDF_RENDER_WAIT_SECONDS = _env_int("PDF_RENDER_WAIT_SECONDS", 5)
    PDF_RETRY_AFTER_SECONDS = _env_int("PDF_RETRY_AFTER_SECONDS", 10)
    PDF_CACHE_DIR = os.environ.get("PDF_CACHE_DIR", str(INSTANCE_DIR / "pdf-cache"))
    PDF_CACHE_MAX_MB = _env_int("PDF_CACHE_MAX_MB", 200)
    # Referral exchange between instances (SPEC §6): the office's Ed25519
    # private key, a file outside the database (`flask --app wsgi referrals
    # keygen`); the largest message accepted; how far a message's timestamp
    # may be from now before it is refused as a replay.
    REFERRALS_PRIVATE_KEY = os.environ.get("REFERRALS_PRIVATE_KEY", str(INSTANCE_DIR / "referrals_ed25519.pem"))
    REFERRALS_MAX_MESSAGE_BYTES = _env_int("REFERRALS_MAX_MESSAGE_BYTES", 60 * 1024 * 1024)
    REFERRALS_MAX_SKEW_SECONDS = _env_int("REFERRALS_MAX_SKEW_SECONDS", 300)
    REFERRALS_HTTP_TIMEOUT = _env_int("REFERRALS_HTTP_TIMEOUT", 30)


class DevelopmentConfig(Config):
    DEBUG = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    LOGIN_MAX_FAILURES_PER_ADDRESS = 1000


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # Production runs on HTTPS (its cookies are Secure): browsers keep to it for a year.
    HSTS_MAX_AGE = _env_int("HSTS_MAX_AGE", 365 * 24 * 3600)
    DEMO_DATA_ALLOWED = False

    @classmethod
    def check(cls) -> None:
        secret = os.environ.get("SECRET_KEY", "")
        if not secret or secret == DEV_SECRET or len(secret) < 32:
            raise RuntimeError(
                "生产环境必须设置 SECRET_KEY 环境变量（至少32个字符的随机值）。"
                " Production needs a real SECRET_KEY (>= 32 random characters)."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
