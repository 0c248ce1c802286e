"""hubdash settings: every value from the environment (see .env.example), safe development defaults.

HUBDASH_ENV=production turns on the strict mode: no generated secrets, secure cookies, HSTS.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hubdash.env import envbool, envfloat, envint, envlist, envsecret, envstr, new_secret_key, new_token_key_spec

# Lets classes such as ModelAdmin[HubToken] be subscripted at run time, as mypy wants them written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("HUBDASH_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = envstr("HUBDASH_ENV", "development")
if ENVIRONMENT not in ("development", "production"):
    raise ImproperlyConfigured("HUBDASH_ENV must be 'development' or 'production'")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = envbool("HUBDASH_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("HUBDASH_DEBUG must be off in production")

SECRET_KEY = envsecret(
    "HUBDASH_SECRET_KEY", production=PRODUCTION, dev_file=VAR_DIR / "secret_key", generate=new_secret_key
)


# Keys that encrypt stored Hub tokens, newest first: "id:base64key,id:base64key". Not derived from
# SECRET_KEY, so that either can be rotated without the other.
HUBDASH_TOKEN_KEYS = envlist("HUBDASH_TOKEN_KEYS") or [
    envsecret("HUBDASH_TOKEN_KEYS", production=PRODUCTION, dev_file=VAR_DIR / "token_keys", generate=new_token_key_spec)
]

ALLOWED_HOSTS = envlist("HUBDASH_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("HUBDASH_ALLOWED_HOSTS must be set in production")
CSRF_TRUSTED_ORIGINS = envlist(
    "HUBDASH_CSRF_TRUSTED_ORIGINS", [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
)

# The Hub, as everywhere in the ecosystem.
HF_ENDPOINT = envstr("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
# huggingface_hub reads these when first imported (after the settings): no telemetry, no extra call
# to the Hub's agent registry on each worker's first request, and never a token from the machine.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
HUB_CONNECT_TIMEOUT = envfloat("HUBDASH_HUB_CONNECT_TIMEOUT", 3)
HUB_READ_TIMEOUT = envfloat("HUBDASH_HUB_READ_TIMEOUT", 10)
HUB_CONCURRENCY = envint("HUBDASH_HUB_CONCURRENCY", 8)
# A whole Hub call (connect, every read of a trickling body) ends by then; pages have their own budget.
HUB_TOTAL_TIMEOUT = float(envstr("HUBDASH_HUB_TOTAL_TIMEOUT", "12"))
# After this many Hub calls in a row time out or cannot connect, answer "not answering" at once for so long.
HUB_BREAKER_FAILURES = envint("HUBDASH_HUB_BREAKER_FAILURES", 5)
HUB_BREAKER_SECONDS = float(envstr("HUBDASH_HUB_BREAKER_SECONDS", "15"))
WHOAMI_CACHE_SECONDS = envint("HUBDASH_WHOAMI_CACHE_SECONDS", 300)
HUB_CACHE_SECONDS = envint("HUBDASH_HUB_CACHE_SECONDS", 60)
# How long a thread may hold the GIL while another waits (gunicorn's workers, hubdash/gunicorn.conf.py).
# At Python's default of 5 ms, a webhook acknowledgement or the sign-in page waited several such slices
# behind a page being rendered in the same worker; 1 ms cut the steady-load acknowledgement p99 from
# 39-64 ms to 28-32 ms (tests/bench/activity.py) for a little more switching.
SWITCH_INTERVAL_MS = envfloat("HUBDASH_SWITCH_INTERVAL_MS", 1)

# Sign in with Hugging Face (OAuth / OpenID Connect, provider HF_ENDPOINT): on when both are set. The app is
# registered on the Hub with the redirect URI https://<hubdash>/accounts/hf/callback/.
HF_OAUTH_CLIENT_ID = envstr("HUBDASH_HF_OAUTH_CLIENT_ID", "")
HF_OAUTH_CLIENT_SECRET = envstr("HUBDASH_HF_OAUTH_CLIENT_SECRET", "")
HF_OAUTH_SCOPES = envstr(
    "HUBDASH_HF_OAUTH_SCOPES", "openid profile email read-repos write-repos manage-repos webhooks write-discussions"
)

# The activity feed. Secrets the Hub's webhooks send in X-Webhook-Secret, comma-separated so that one
# can be rotated without losing deliveries (keep old and new while both are in use); admins may also
# create secrets in hubdash. Events older than the retention are removed by `prune_activity`.
WEBHOOK_SECRETS = envlist("HUBDASH_WEBHOOK_SECRETS")
ACTIVITY_RETENTION_DAYS = envint("HUBDASH_ACTIVITY_RETENTION_DAYS", 365)

# Access requests: the scheduled refresh copies the Hub's lists into hubdash every so many minutes; a
# requester's personal fields are removed this many days after their request was decided.
HUBDASH_ACCESS_REFRESH_MINUTES = envint("HUBDASH_ACCESS_REFRESH_MINUTES", 5)
HUBDASH_ACCESS_RETENTION_DAYS = envint("HUBDASH_ACCESS_RETENTION_DAYS", 90)
# Usage snapshots (one row per repo of the watched namespaces a day) are kept this many days.
HUBDASH_USAGE_RETENTION_DAYS = envint("HUBDASH_USAGE_RETENTION_DAYS", 730)

# File uploads: each file streams to disk as it arrives (never whole in memory) under HUBDASH_UPLOAD_DIR,
# shared storage when web and job workers are on several machines; a background job pushes it to the
# Hub. Bigger files are refused (413). The job beats every HUBDASH_UPLOAD_HEARTBEAT_SECONDS while it
# pushes; four missed beats mean its worker is gone and the upload is failed (hubdash/uploads/sweep.py).
UPLOAD_DIR = Path(envstr("HUBDASH_UPLOAD_DIR", str(VAR_DIR / "uploads")))
UPLOAD_MAX_BYTES = envint("HUBDASH_UPLOAD_MAX_BYTES", 50 * 1024**3)
UPLOAD_HEARTBEAT_SECONDS = envfloat("HUBDASH_UPLOAD_HEARTBEAT_SECONDS", 10)
# Only the streaming-to-disk handler (no in-memory one); DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB) bounds
# the other form fields only, never file parts, so it stays as it is.
FILE_UPLOAD_HANDLERS = ["hubdash.uploads.handlers.SizeLimitedUploadHandler"]
FILE_UPLOAD_TEMP_DIR = str(UPLOAD_DIR / "incoming")  # the same disk as the staged files: staging is a hard link
# Jobs (uploads' pushes) in the database, run by `manage.py db_worker` (the Procfile's worker). Django 6
# ships this API as django.tasks; on 5.2 the django-tasks backport provides it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Scheduled jobs (hubdash/jobs): the `scheduler` process enqueues each period of each job once, looking every
# so many seconds (a period's run starts at most this late).
SCHEDULER_TICK_SECONDS = envfloat("HUBDASH_SCHEDULER_TICK_SECONDS", 15)
# Bulk plans (hubdash/bulk): the share of the Hub's rate-limit window (in %) a plan's run may use; the rest is kept
# for the person's own pages while it runs.
BULK_QUOTA_SHARE = envint("HUBDASH_BULK_QUOTA_SHARE", 90)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "heroicons",
    "hubdash.core",
    "hubdash.hub",
    "hubdash.accounts",
    "hubdash.team",
    "hubdash.repos",
    "hubdash.activity",
    "hubdash.uploads",
    "hubdash.jobs",
    "hubdash.access",
    "hubdash.usage",
    "hubdash.bulk",
    "hubdash.discussions",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hubdash.core.middleware.SubresourceRefusalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hubdash.core.middleware.FirstRunMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "hubdash.core.middleware.HtmxRedirectMiddleware",
    "hubdash.core.middleware.MethodNotAllowedPageMiddleware",
    "hubdash.team.middleware.LastSeenMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hubdash.urls"
WSGI_APPLICATION = "hubdash.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
    {
        # The long lists only (hubdash.lists): as fast as strings built by hand, escaped as Django's.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "hubdash.lists.environment"},  # which turns autoescape on
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hubdash.sqlite3'}"), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue instead of failing with "database is locked"; WAL lets readers run beside them.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 10,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Like the secret files beside it, the database is for hubdash's user alone: create it so before SQLite
    # does (SQLite gives its -wal and -shm files the database file's permissions).
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if _sqlite_name and _sqlite_name != ":memory:" and not _sqlite_name.startswith("file:"):
        with contextlib.suppress(FileExistsError, FileNotFoundError):  # a missing folder: SQLite will say so
            os.close(os.open(_sqlite_name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    # Tests use a file too, not Django's shared in-memory database: there, two connections that write at
    # once fail with "table is locked" instead of queueing, so concurrency could not be tested as it runs.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-hubdash.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Hub answers are cached for every worker process: by default in files under var/ (nothing to
# install, shared by gunicorn's workers on one machine); HUBDASH_CACHE_URL=redis://... for several machines.
CACHE_URL = envstr("HUBDASH_CACHE_URL", "")
CACHES: dict[str, dict[str, Any]]
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL:
    raise ImproperlyConfigured("HUBDASH_CACHE_URL must be a redis:// URL (or unset for the local file cache)")
else:
    CACHES = {
        "default": {
            "BACKEND": "hubdash.core.filecache.OccasionallyCulledFileCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "hubdash.hub.auth.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitations can go by email once a mail server is set; without one, admins copy the link and send it
# themselves (Django's SMTP default aimed at localhost:25 is not taken as configured).
EMAIL_HOST = envstr("HUBDASH_EMAIL_HOST", "")
EMAIL_PORT = envint("HUBDASH_EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("HUBDASH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("HUBDASH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("HUBDASH_EMAIL_TLS", True)
EMAIL_TIMEOUT = 10  # seconds: an admin waits for it
DEFAULT_FROM_EMAIL = envstr("HUBDASH_EMAIL_FROM", "hubdash@localhost")
# Reset links an admin makes for someone work this long (and once).
PASSWORD_RESET_TIMEOUT = envint("HUBDASH_PASSWORD_RESET_HOURS", 72) * 3600
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "profile"
LOGOUT_REDIRECT_URL = "login"

# Behind a reverse proxy (nginx...), every connection comes from the proxy. Only then, and only from the
# proxies listed (the same list gunicorn trusts: addresses, networks or *), are X-Forwarded-For and
# X-Forwarded-Proto believed: hubdash/accounts/client_address.py.
BEHIND_PROXY = envbool("HUBDASH_BEHIND_PROXY", False)
FORWARDED_ALLOW_IPS = envlist("HUBDASH_FORWARDED_ALLOW_IPS", ["127.0.0.1"])
for _entry in FORWARDED_ALLOW_IPS:
    try:
        if _entry != "*":
            ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"HUBDASH_FORWARDED_ALLOW_IPS: {_entry!r} is not an address or network") from None
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling (django-axes): a username from an address is locked after a few failures, for a while;
# an address is paused after many failures whatever the usernames. Password re-checks count as sign-ins.
AXES_FAILURE_LIMIT = envint("HUBDASH_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("HUBDASH_LOGIN_COOLOFF_MINUTES", 15))
LOGIN_ADDRESS_FAILURE_LIMIT = envint("HUBDASH_LOGIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "hubdash.accounts.throttle.AddressLimitedHandler"
AXES_CLIENT_IP_CALLABLE = "hubdash.accounts.client_address.client_ip"
AXES_USERNAME_CALLABLE = "hubdash.accounts.throttle.bounded_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hubdash.accounts.throttle.locked_out"
AXES_VERBOSE = False
# axes keeps the failed request's form in its table (shown in the Django admin): every password-like field of
# every hubdash form is masked there, not only `password` (tests/accounts/test_typed_secrets_are_not_kept.py).
AXES_SENSITIVE_PARAMETERS = [
    "password",
    "token",
    "old_password",
    "new_password1",
    "new_password2",
    "password1",
    "password2",
]

# Sessions of hours, not weeks; cookies that only this host over HTTPS can set in production.
# Django's database sessions with a copy in the cache, which is shared by every worker (the file cache
# under var/ by default, Redis with HUBDASH_CACHE_URL): a page reads its session from the cache, and a
# session the cache dropped (culled, Redis restarted) is read back from the database. Several machines
# need Redis: a session ended on one would otherwise live on in the others' file caches.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = envint("HUBDASH_SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-hubdash-session"
    CSRF_COOKIE_NAME = "__Host-hubdash-csrf"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("HUBDASH_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("HUBDASH_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("HUBDASH_HSTS_PRELOAD", True)
    if not SECURE_HSTS_PRELOAD:
        # Opting out of the preload list is the deployer's informed choice, not an oversight.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
else:
    SESSION_COOKIE_NAME = "hubdash-session"
    CSRF_COOKIE_NAME = "hubdash-csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script, no eval; images from here and, for cards and avatars, HTTPS sources.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        # "Sign in with Hugging Face" posts here, then redirects to the Hub's consent page: browsers hold
        # that redirect to form-action too.
        "form-action": [SELF, HF_ENDPOINT] if HF_OAUTH_CLIENT_ID else [SELF],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes (the Procfile's release step) and nginx's /static/ alias reads.
STATIC_ROOT = Path(envstr("HUBDASH_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Every handler redacts secrets (hubdash/core/logging.py). Django's own logging config would add handlers
# of its own to the `django` loggers (a console one printing in development before any filter of ours ran);
# these entries replace them, so Django's records reach the console once, through the root's handler.
# No mail_admins: hubdash sets no ADMINS nor mail server, errors go to the log.
# Error pages that are never cached, and error reports (the debug page too) without secrets.
CSRF_FAILURE_VIEW = "hubdash.core.error_pages.csrf_failure"
DEFAULT_EXCEPTION_REPORTER_FILTER = "hubdash.core.error_pages.SecretsHiddenReporterFilter"

LOG_LEVEL = envstr("HUBDASH_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "hubdash.core.logging.RedactTokens"},
        "quiet_client_errors": {"()": "hubdash.core.logging.QuietClientErrors"},
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"level": LOG_LEVEL, "propagate": True, "filters": ["quiet_client_errors"]},
        "django.server": {"handlers": ["django.server"], "level": LOG_LEVEL, "propagate": False},
        "httpx2": {"level": "WARNING"},
        "httpcore2": {"level": "WARNING"},
        "huggingface_hub": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},  # a line per tick otherwise
    },
}
