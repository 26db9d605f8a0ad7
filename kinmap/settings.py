"""kinmap settings, read from environment variables.

Safe defaults for a developer's machine (an embedded SQLite database; DEBUG
off, so that even the demo shows kinmap's own error pages, never Django's
debug page: ``KINMAP_DEBUG=true`` turns it on while developing); production
is chosen with ``KINMAP_ENV=production``, which refuses to start without a
real secret key and allowed hosts. A value that cannot be understood stops
the process with a message naming the variable.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kinmap.database_faults import url_shown

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value: use true or false")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


KINMAP_ENV = os.environ.get("KINMAP_ENV", "development")
if KINMAP_ENV not in ("development", "test", "production"):
    raise ImproperlyConfigured(f"KINMAP_ENV={KINMAP_ENV!r} is not one of development, test, production")
PRODUCTION = KINMAP_ENV == "production"

DEBUG = env_bool("KINMAP_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("KINMAP_DEBUG must be off when KINMAP_ENV=production")

_DEV_SECRET = "insecure-development-key-never-used-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("KINMAP_SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "KINMAP_SECRET_KEY must be set to a random value of at least 50 characters in production"
    )

ALLOWED_HOSTS = env_list(
    "KINMAP_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("KINMAP_ALLOWED_HOSTS must list the host names kinmap is served on")

_default_db = f"sqlite:///{BASE_DIR / 'var' / 'kinmap.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL") or _default_db
_db_url_forms = "sqlite:///PATH or postgres://USER@HOST:PORT/NAME"
_conn_max_age = env_int("KINMAP_DB_CONN_MAX_AGE", 0)
try:
    _db = dj_database_url.parse(_db_url, conn_max_age=_conn_max_age)
except Exception as exc:  # dj_database_url raises several kinds
    _why = str(exc).split(". ")[0].rstrip(".")
    raise ImproperlyConfigured(
        f"DATABASE_URL could not be understood ({_why}): {url_shown(_db_url)}. "
        f"Set it to a {_db_url_forms} URL"
    ) from None
if _db["ENGINE"] not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured(
        f"DATABASE_URL must be a sqlite:// or postgres:// URL ({_db_url_forms}), not {url_shown(_db_url)}"
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] not in ("", ":memory:"):
        _db_dir = Path(str(_db["NAME"])).parent
        try:
            _db_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ImproperlyConfigured(
                f"DATABASE_URL names a SQLite file in {_db_dir}, a directory kinmap cannot make "
                f"({exc.strerror}): make it, or set DATABASE_URL to a SQLite file in a directory "
                "kinmap may write to"
            ) from None
    # The embedded database serves several people at once (sqlite.org/wal.html,
    # sqlite.org/lang_transaction.html): in write-ahead-log mode readers never
    # wait for the writer; a transaction takes the write lock when it begins
    # (IMMEDIATE), so two transactions never both read and then both ask to
    # write, which SQLite refuses at once ("database is locked") rather than
    # waiting; and a writer waits up to KINMAP_SQLITE_TIMEOUT seconds for the
    # one before it.
    _db["OPTIONS"] = {
        **_db.get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("KINMAP_SQLITE_TIMEOUT", 30, minimum=1),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if _db["ENGINE"] == "django.db.backends.postgresql":
    # A kept connection (KINMAP_DB_CONN_MAX_AGE seconds; `kinmap serve` keeps them
    # 600 s by default) is checked before each request reuses it, so a database
    # restart or a dropped connection costs one reconnect, not a failed request.
    _db["CONN_HEALTH_CHECKS"] = env_bool("KINMAP_DB_CONN_HEALTH_CHECKS", True)
    # The only prepared statements are a family's fixed reads
    # (kinmap.records.pipelined), run for one family's few ids: each is planned
    # once and the plan kept (postgresql.org/docs/current/runtime-config-query.html,
    # plan_cache_mode), not planned again for every family; that planning was
    # half the server's time in a recompute. A kept plan is made for no ids in
    # particular, so at an area's size it can expect hundreds of rows where a
    # family has tens, and choose a parallel plan: starting a parallel worker
    # took about 7 ms of the family page's 9 ms in the database at 100,000
    # families (EXPLAIN ANALYZE EXECUTE: Gather Merge, one worker launched). No
    # kinmap read needs more than one process, so none is started
    # (max_parallel_workers_per_gather, same page of the manual).
    _options = _db.setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan "
        "-c max_parallel_workers_per_gather=0"
    ).strip()
DATABASES = {"default": _db}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "simple_history",
    "kinmap.accounts",
    "kinmap.audit",
    "kinmap.records",
    "kinmap.carers",
    "kinmap.web",
    "kinmap.sharing",
    "kinmap.gaps",
    "kinmap.genogram",
    "django_tasks",
    "django_tasks_db",
    "kinmap.jobs",
    "kinmap.chronology",
    "kinmap.merging",
    "kinmap.matching",
]

# Background work (kinmap worker): django-tasks with its database backend, so it
# runs on PostgreSQL and on the embedded SQLite with nothing else to install.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kinmap.web.middleware.StaticFilesMiddleware",
    "kinmap.audit.middleware.RequestIdMiddleware",
    # a reading request's shared rows, read once (kinmap.web.request_memo)
    "kinmap.web.request_memo.RequestMemoMiddleware",
    # sessions whose expiry is moved on at most once a minute (kinmap.web.sessions)
    "kinmap.web.sessions.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kinmap.web.middleware.PagesLoginRequiredMiddleware",
    # who made each change, for the record-time history (django-simple-history)
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # a form is acted on once however many times it is sent (kinmap.web.submissions)
    "kinmap.web.submissions.OnceOnlySubmissionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kinmap.web.middleware.SecurityHeadersMiddleware",
    # a page asked with a method it does not take gets a page, not an empty body
    "kinmap.web.errors.MethodNotAllowedPageMiddleware",
    # innermost, so that its lockout page passes out through the security headers
    "axes.middleware.AxesMiddleware",
    "kinmap.api.problems.ProblemDocumentsMiddleware",  # innermost: sees every answer, even Django's own
]

ROOT_URLCONF = "kinmap.urls"
WSGI_APPLICATION = "kinmap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kinmap.sharing.context.notifications",
            ],
            "builtins": ["kinmap.web.templatetags.govuk"],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-families"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# GOV.UK Frontend's CSS asks for its fonts and images at /assets/fonts and
# /assets/images, so static files are served under /assets/.
STATIC_URL = "/assets/"
STATICFILES_DIRS: list[Path] = []
STATIC_ROOT = Path(os.environ.get("KINMAP_STATIC_ROOT") or BASE_DIR / "var" / "static")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions: end after 30 minutes idle, and when the browser closes. The expiry
# in the database is moved on when it would move by a minute or more, not on
# every request (kinmap.web.sessions): a session ends 29 to 30 minutes after
# the last request, and a reading page writes nothing for its session.
SESSION_COOKIE_AGE = env_int("KINMAP_SESSION_SECONDS", 30 * 60, minimum=60)
SESSION_ENGINE = "kinmap.web.sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KINMAP_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("KINMAP_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # a load balancer's health check may ask over plain HTTP: answered, not redirected
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Static files: compressed (gzip and Brotli) and, for a server, with content
# hashes in their names so browsers keep them for a year (WhiteNoise's
# CompressedManifestStaticFilesStorage). The manifest is written by
# `kinmap collectstatic`, which `kinmap serve` runs first; without it (tests,
# runserver) the files are compressed but keep their names.
if env_bool("KINMAP_STATIC_MANIFEST", False) or PRODUCTION:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "kinmap.web.storage.StaticStorage"},
    }
    WHITENOISE_USE_FINDERS = False  # serve the collected, hashed and compressed files

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KINMAP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Sign-in throttling (django-axes, kept in the database so every worker sees it;
# see kinmap/accounts/signin.py): failures of one user name from one client
# address, and of one client address across user names, each with its limit;
# a lock lifts after the cool-off with no further failure.
LOGIN_FAILURE_LIMIT = env_int("KINMAP_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_CLIENT_FAILURE_LIMIT = env_int("KINMAP_LOGIN_CLIENT_FAILURE_LIMIT", 20, minimum=1)
if LOGIN_CLIENT_FAILURE_LIMIT < LOGIN_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        f"KINMAP_LOGIN_CLIENT_FAILURE_LIMIT={LOGIN_CLIENT_FAILURE_LIMIT} must be at least "
        f"KINMAP_LOGIN_FAILURE_LIMIT={LOGIN_FAILURE_LIMIT}"
    )
LOGIN_COOLOFF_MINUTES = env_int("KINMAP_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
CLIENT_ADDRESS_HEADER = os.environ.get("KINMAP_CLIENT_ADDRESS_HEADER", "").strip()
if CLIENT_ADDRESS_HEADER and not re.fullmatch(r"[A-Za-z0-9-]+", CLIENT_ADDRESS_HEADER):
    raise ImproperlyConfigured(
        f"KINMAP_CLIENT_ADDRESS_HEADER={CLIENT_ADDRESS_HEADER!r} is not an HTTP header name "
        "(letters, digits and hyphens, such as X-Forwarded-For)"
    )

AUTHENTICATION_BACKENDS = [
    "kinmap.accounts.signin.SignInThrottleBackend",
    # Django's, loading the user's team and agency with them (one query)
    "kinmap.accounts.signin.UserBackend",
]
AXES_HANDLER = "kinmap.accounts.signin.SignInThrottle"
# in this order: SignInThrottle.get_failures reads the user name with the client first
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "kinmap.accounts.signin.typed_username"
AXES_CLIENT_IP_CALLABLE = "kinmap.accounts.signin.client_address"
AXES_LOCKOUT_CALLABLE = "kinmap.web.views.sign_in_locked_out"
AXES_ENABLE_ADMIN = False

# When a gap is flagged for a supervisor (a partnership can change these in the
# rule settings): a critical gap still open after this many contacts or days,
# any gap declined this many times.
KINMAP_GAP_ESCALATION = {
    "after_contacts": env_int("KINMAP_ESCALATE_AFTER_CONTACTS", 2, minimum=1),
    "after_days": env_int("KINMAP_ESCALATE_AFTER_DAYS", 28, minimum=1),
    "after_declines": env_int("KINMAP_ESCALATE_AFTER_DECLINES", 2, minimum=1),
}

# The match model ``kinmap match`` trains (Splink's saved JSON); until it exists,
# kinmap/matching/default_model.json is used (kinmap.matching.weights).
KINMAP_MATCH_MODEL_PATH = Path(
    os.environ.get("KINMAP_MATCH_MODEL_PATH") or BASE_DIR / "var" / "match-model.json"
)
