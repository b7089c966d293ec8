"""Django settings for the zjtx platform.

Production defaults are embedded: DEBUG is off, the secret key is generated once into the data
directory, static files are served by WhiteNoise, security headers are on. Everything
deployment-specific comes from the environment:

* ``DATABASE_URL`` — e.g. ``postgres://user:pw@127.0.0.1:5432/zjtx``; SQLite (``ZJTX_DATA_DIR/zjtx.sqlite3``)
  when unset.
* ``ZJTX_DATA_DIR`` — the data directory (SQLite file, secret key, collected static files); ``./var``.
* ``ZJTX_SECRET_KEY`` — the secret key; when unset it is read from (or generated once into)
  ``ZJTX_DATA_DIR/secret_key`` with mode 0600. No key can be had → the platform refuses to start.
* ``ZJTX_DEBUG`` (``1`` turns DEBUG on; default off), ``ZJTX_ALLOWED_HOSTS`` (comma separated).
* ``ZJTX_HTTPS`` (``1`` when the site is reached over HTTPS, e.g. behind a TLS-terminating proxy):
  secure cookies, HSTS, redirect to HTTPS and the proxy's ``X-Forwarded-Proto`` header.

See docs/platform.md (运行与部署).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from zjtx.web.secret import load_secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ZJTX_DATA_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("ZJTX_DEBUG", "0") == "1"
SECRET_KEY = load_secret_key(DATA_DIR, os.environ.get("ZJTX_SECRET_KEY"))
ALLOWED_HOSTS = [h for h in os.environ.get("ZJTX_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
                 if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves its bundled Swagger UI from static/ (no CDN on government intranets)
    "zjtx.web",
    "zjtx.apps.accounts",
    "zjtx.apps.enterprises",
    "zjtx.apps.evaluations",
    "zjtx.apps.cultivation",
    "zjtx.apps.programs",
    "django_tasks",
    "django_tasks_db",
    "zjtx.apps.jobs",
    "zjtx.apps.outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zjtx.web.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zjtx.apps.accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zjtx.apps.accounts.middleware.IdleTimeoutMiddleware",
    "zjtx.apps.accounts.middleware.AccountPolicyMiddleware",
    "zjtx.apps.accounts.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zjtx.apps.enterprises.versioning.VersionConflictMiddleware",
    "zjtx.web.api.ApiJsonErrorsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "zjtx.web.urls"
WSGI_APPLICATION = "zjtx.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zjtx.apps.accounts.context.role",
                "zjtx.web.context.site_notices",
            ],
            "builtins": ["zjtx.web.templatetags.present"],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'zjtx.sqlite3'}"
if not os.environ.get("DATABASE_URL"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite, conn_max_age=0)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL: pages keep reading (e.g. import progress) while the worker holds the write lock. A write
    # transaction takes the write lock when it begins (IMMEDIATE), so a writer waits its turn (busy
    # timeout ZJTX_SQLITE_BUSY_TIMEOUT, 120 s: a large import's commit) instead of failing with
    # "database is locked" when it would have to upgrade a read snapshot another process wrote past.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": int(os.environ.get("ZJTX_SQLITE_BUSY_TIMEOUT", "120")), "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (等保2.0: failed-login limits) and idle timeout.
ZJTX_LOCKOUT_ATTEMPTS = 5
ZJTX_LOCKOUT_MINUTES = 15
ZJTX_IDLE_TIMEOUT_SECONDS = int(os.environ.get("ZJTX_IDLE_TIMEOUT_SECONDS", "1800"))
SESSION_COOKIE_AGE = ZJTX_IDLE_TIMEOUT_SECONDS
SESSION_SAVE_EVERY_REQUEST = False  # IdleTimeoutMiddleware refreshes the session once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# Security headers (SecurityMiddleware + zjtx.web.security): no MIME sniffing, same-origin referrers
# and opener, a Content-Security-Policy that allows only this origin (no CDN anywhere) and no inline
# script (page scripts are static files). HSTS: SECURE_HSTS_SECONDS below, on HTTPS only.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
ZJTX_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
ZJTX_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Behind HTTPS (a TLS-terminating proxy in front of the WSGI server): secure cookies, HSTS, redirect.
HTTPS = os.environ.get("ZJTX_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preload (security.W021) is the domain owner's irreversible choice, not a platform default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("ZJTX_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Background work (docs/platform.md 后台任务): Django's tasks API (django-tasks backport) with the database
# backend of django-tasks-db — the queue lives in the platform's own database, so the embedded default
# needs no extra server; ``zjtx worker`` runs it (started beside the web server by ``zjtx demo``/``serve``).
TASKS = {"default": {"BACKEND": os.environ.get("ZJTX_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
ZJTX_JOB_STALE_SECONDS = int(os.environ.get("ZJTX_JOB_STALE_SECONDS", "900"))  # another host's silent worker
# Scheduled work run by the worker once a day from the given local time (a missed day runs at start).
ZJTX_SCHEDULE = {
    "cultivation.daily": {"task": "zjtx.apps.cultivation.tasks.daily_pass", "at": os.environ.get(
        "ZJTX_DAILY_AT", "02:00"), "title": "每日例行：培育库自动评价与到期提醒"},
    "outreach.daily": {"task": "zjtx.apps.outreach.tasks.daily_pass", "at": os.environ.get(
        "ZJTX_OUTREACH_DAILY_AT", "03:00"), "title": "每日例行：政策直达（预警、定向通知）"},
}

# Imports: files with more data rows than this are applied by the background worker.
ZJTX_IMPORT_SYNC_ROWS = int(os.environ.get("ZJTX_IMPORT_SYNC_ROWS", "500"))
ZJTX_IMPORT_MAX_BYTES = 30 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = ZJTX_IMPORT_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = ZJTX_IMPORT_MAX_BYTES

# ---- Security and reliability (docs/security.md) --------------------------------------------------
AUTHENTICATION_BACKENDS = ["zjtx.apps.accounts.backends.RoleBackend"]
ZJTX_IP_ATTEMPTS = int(os.environ.get("ZJTX_IP_ATTEMPTS", "20"))  # failed logins per source IP …
ZJTX_IP_LOCKOUT_MINUTES = int(os.environ.get("ZJTX_IP_LOCKOUT_MINUTES", "15"))  # … per this many minutes
ZJTX_TRUSTED_PROXIES = [h for h in os.environ.get("ZJTX_TRUSTED_PROXIES", "").split(",") if h]
ZJTX_2FA_ENFORCED = os.environ.get("ZJTX_2FA_ENFORCED", "1") == "1"
OTP_TOTP_ISSUER = "中山市专精特新平台"
ZJTX_PASSWORD_MIN_LENGTH = 10
ZJTX_PASSWORD_HISTORY = int(os.environ.get("ZJTX_PASSWORD_HISTORY", "5"))
ZJTX_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZJTX_PASSWORD_MAX_AGE_DAYS", "90"))  # 0: never expires
AUTH_PASSWORD_VALIDATORS += [
    {"NAME": "zjtx.apps.accounts.passwords.ComplexityValidator"},
    {"NAME": "zjtx.apps.accounts.passwords.HistoryValidator", "OPTIONS": {"history": ZJTX_PASSWORD_HISTORY}},
]
ZJTX_AUDIT_KEY = os.environ.get("ZJTX_AUDIT_KEY", "")  # HMAC key of the audit chain (default: SECRET_KEY)
ZJTX_API_DOCS = os.environ.get("ZJTX_API_DOCS", "login")  # login | public | off
# Imports: limits checked before any cell is read (zjtx.apps.enterprises.safefile).
ZJTX_IMPORT_MAX_ROWS = int(os.environ.get("ZJTX_IMPORT_MAX_ROWS", "50000"))
ZJTX_IMPORT_MAX_COLUMNS = 200
ZJTX_IMPORT_MAX_CELL_CHARS = 2000
ZJTX_IMPORT_MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
ZJTX_IMPORT_MAX_RATIO = 100
ZJTX_IMPORT_MAX_ERRORS = 1000  # problems listed per file

# E-mail of targeted notices (zjtx.apps.outreach; docs/outreach.md): any SMTP server.
EMAIL_HOST = os.environ.get("ZJTX_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ZJTX_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ZJTX_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ZJTX_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("ZJTX_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("ZJTX_EMAIL_FROM", "zjtx@localhost")
ZJTX_OUTREACH_EMAIL = os.environ.get("ZJTX_OUTREACH_EMAIL", "1") == "1"  # 0: inbox only
ZJTX_SITE_URL = os.environ.get("ZJTX_SITE_URL", "http://127.0.0.1:8000")

LANGUAGE_CODE = "zh-hans"
# Chinese only: the UI is written in Chinese and has no translation catalogue, so no language switch
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves STATIC_ROOT (filled by ``collectstatic`` when the server starts) with compressed
# variants; until something was collected (tests, a first start) it serves straight from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or not (STATIC_ROOT / "zjtx" / "site.css").exists()
try:  # WhiteNoise expects the directory (empty until collectstatic runs)
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only data dir: static files are still found in the apps
    pass
WHITENOISE_MAX_AGE = 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "zjtx": {"handlers": ["console"], "level": "INFO"},
        # server errors (500) go to the console with their traceback; the page shows none
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
