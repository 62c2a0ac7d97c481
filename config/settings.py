"""Packyard's settings: one file, every value read from an environment variable.

The defaults run a development site on one laptop: SQLite, an in-process cache and the
database-backed task worker. The README's configuration table lists every variable.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, *, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, *, default: int) -> int:
    """Read a whole-number environment variable."""
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


DEBUG = env_bool("DEBUG", default=False)
# The fallback key starts with "django-insecure-" so `manage.py check --deploy` flags it.
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-packyard-development-key-not-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default="127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default="")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Packyard"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    # API v5's OpenAPI schema, and Swagger UI served from vendored files (no CDN).
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "packyard.core",
    # After packyard.core, whose `crontask` command (kept running through a Redis outage)
    # overrides django-crontask's.
    "crontask",
    "packyard.catalog",
    "packyard.grids",
    "packyard.importer",
    "packyard.api",
    "packyard.refresh",
    "packyard.pages",
    # Derived: compatibility with Django and Python releases; scores, status, advisories.
    "packyard.compatibility",
    "packyard.scoring",
    # Derived: the search index (SQLite FTS5 or PostgreSQL full-text search) and its pages.
    "packyard.search",
    # Accounts: GitHub login (django-allauth), profiles, permissions; the history of edits.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "packyard.history",
    "packyard.accounts",
]

MIDDLEWARE = [
    "packyard.core.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so kept answers and 304s carry the policies too.
    "packyard.core.security.ContentSecurityPolicyMiddleware",
    "packyard.core.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, so API v5's kept answers and 304s allow any origin too.
    "packyard.api.middleware.ApiCorsMiddleware",
    # Outside the session and CSRF middleware, so it sees every cookie an answer sets.
    "packyard.core.caching.PageCacheMiddleware",
    # Inside the page cache, so an answer is compressed once, when it is built, and kept so;
    # Django's GZipMiddleware pads each answer against BREACH (Django 4.2+).
    "packyard.core.compression.CompressingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "packyard.core.context_processors.site",
                # csp_nonce, for the 500 page's inline style (never on a page that is cached).
                "django.template.context_processors.csp",
            ],
            "builtins": ["packyard.core.templatetags.packyard"],
        },
    },
]

# Databases: DATABASE_URL, SQLite by default. SQLite runs in WAL mode with immediate
# transactions so the web process and the database worker can write side by side.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with statements prepared, and the health check only after a pause
    # (packyard/core/postgresql/base.py says why and what stays unprepared).
    DATABASES["default"]["ENGINE"] = "packyard.core.postgresql"
    # DATABASE_PREPARE_THRESHOLD=0 turns preparing off (PgBouncer in transaction mode).
    prepare_threshold = env_int("DATABASE_PREPARE_THRESHOLD", default=5)
    if prepare_threshold > 0:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": prepare_threshold}
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that hangs fails a request in seconds instead of holding it for ever.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "packyard",
        }
    }

# Background tasks (django.tasks): the database worker by default (`manage.py worker` runs
# `db_worker`); with REDIS_URL, an RQ worker on Redis (`manage.py worker` runs `rqworker`).
# On RQ (packyard.core.jobs), a job that raises is tried again after each of JOBS_RETRY_DELAYS
# seconds, then kept as failed; a job whose worker died is queued again within
# JOBS_RECOVERY_SECONDS (plus the first retry delay). The database worker does neither.
JOBS_RETRY_DELAYS = [int(delay) for delay in env_list("JOBS_RETRY_DELAYS", default="30,120,600")]
JOBS_RECOVERY_SECONDS = max(4, env_int("JOBS_RECOVERY_SECONDS", default=120))
if REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # A Redis that is down or unreachable fails a connection in seconds, not minutes: the web
    # process then logs the job it could not queue and goes on (the scheduler catches up). No
    # read timeout: a worker waits on the queue with a blocking read.
    _rq_url = urlsplit(REDIS_URL)
    _rq_query = dict(parse_qsl(_rq_url.query))
    _rq_query.setdefault("socket_connect_timeout", "2")
    RQ_QUEUES = {
        "default": {
            "URL": urlunsplit(_rq_url._replace(query=urlencode(_rq_query))),
            "DEFAULT_TIMEOUT": 3600,
            "QUEUE_CLASS": "packyard.core.jobs.RetryingQueue",
        }
    }
    RQ = {"WORKER_CLASS": "packyard.core.jobs.RecoveringWorker"}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The scheduler (`manage.py crontask`) holds a Redis lock when Redis is there, so only one runs;
# another waits for it. A scheduler that dies gives the lock up after SCHEDULER_LOCK_SECONDS.
SCHEDULER_LOCK_SECONDS = max(2, env_int("SCHEDULER_LOCK_SECONDS", default=10))
CRONTASK = {
    "REDIS_URL": REDIS_URL or None,
    "LOCK_TIMEOUT": SCHEDULER_LOCK_SECONDS,
    "LOCK_REFRESH_INTERVAL": max(1, SCHEDULER_LOCK_SECONDS // 3),
    "LOCK_BLOCKING_TIMEOUT": None,  # Wait for the lock as long as it takes.
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in (packyard.accounts): GitHub through django-allauth for everyone, a password for
# staff only. https://docs.allauth.org/en/latest/account/configuration.html
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "packyard.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "packyard.accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "packyard.pages.accounts.forms.StaffLoginForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
# The login form has a password field only when sign-up would ask for one (sign-up is closed).
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_LOGOUT_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {"github": {"provider_class": "packyard.accounts.github.GitHubProvider"}}
# GitHub's web address (authorize, token) and the OAuth app's credentials; its API address
# is GITHUB_API_URL below. Read at request time, so tests point them at a local fake.
GITHUB_OAUTH_URL = os.environ.get("GITHUB_OAUTH_URL", "https://github.com").rstrip("/")
GITHUB_CLIENT_ID = os.environ.get("GITHUB_CLIENT_ID", "")
GITHUB_CLIENT_SECRET = os.environ.get("GITHUB_CLIENT_SECRET", "")
# Accounts younger than this many days (counted from the GitHub account's creation, or from
# joining when there is no GitHub account) may only propose: flag, suggest, mark.
NEW_ACCOUNT_DAYS = env_int("NEW_ACCOUNT_DAYS", default=7)
# Abuse limits, per person (per address for logins): "<count>/<period>", period s, m, h or d
# ("5/10m" is five in ten minutes). allauth's own limit on failed passwords applies as well.
RATE_LIMITS = {
    "edits": os.environ.get("RATE_LIMIT_EDITS", "120/h"),
    "flags": os.environ.get("RATE_LIMIT_FLAGS", "20/h"),
    "refresh": os.environ.get("RATE_LIMIT_REFRESH", "30/h"),
    "logins": os.environ.get("RATE_LIMIT_LOGINS", "20/m"),
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# The bulk dump (`manage.py export_dump`, served at /dump/): API v5 records as gzipped JSON lines.
DUMP_ROOT = Path(os.environ.get("DUMP_ROOT", BASE_DIR / "var" / "dump"))
# STATIC_MANIFEST=1 (production): serve only what `collectstatic` wrote to STATIC_ROOT, with
# hashed names cached for ever and gzip copies. Off (a laptop, the tests), WhiteNoise finds the
# files where they lie, as no `collectstatic` ran: the manifest would miss every file.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", default=False)
if STATIC_MANIFEST:
    STATICFILES_BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"
elif DEBUG:
    STATICFILES_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
else:
    STATICFILES_BACKEND = "whitenoise.storage.CompressedStaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATICFILES_BACKEND},
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Links out to packages' sites say they came from Packyard (the origin only, never the path).
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS in production: redirect plain HTTP, and tell browsers to use HTTPS for this long.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0 and env_bool("SECURE_HSTS_PRELOAD", default=False)

# Content-Security-Policy on every answer, development and tests included, so the browser
# tests meet any violation. https://docs.djangoproject.com/en/6.0/ref/csp/
# No inline script or style: htmx's indicator rules are in site.css. Only the 500 page, never
# cached, has an inline style with a nonce. packyard.core.security adds GitHub's sign-in address
# (GITHUB_OAUTH_URL) to form-action: Chromium checks the redirect a sign-in form's POST answers.
CSP_IMG_ORIGINS = env_list("CSP_IMG_ORIGINS", default="https://avatars.githubusercontent.com")
CSP_FORM_ACTION_ORIGINS = env_list("CSP_FORM_ACTION_ORIGINS", default="")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *CSP_IMG_ORIGINS],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, *CSP_FORM_ACTION_ORIGINS],
}
# Browser features no page of Packyard uses, denied to it and to anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # API v4 pages as djangopackages.org's do: ?limit= and ?offset=, 20 rows by default.
    "DEFAULT_PAGINATION_CLASS": "packyard.api.v4.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    # drf-spectacular describes API v5 (only v5: SPECTACULAR_SETTINGS' hook); v3 and v4 do
    # not serve a schema, so this changes none of their answers.
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The largest `limit` an API list answers; a larger one is capped to it, not refused.
API_MAX_LIMIT = env_int("API_MAX_LIMIT", default=100)
# API v5's limit for anonymous clients, per address (DRF's "number/period"); "" turns it off.
# Answers served from the page cache cost nothing and are not counted.
API_V5_RATE = os.environ.get("API_V5_RATE", "120/min")
# API v5's OpenAPI schema (https://drf-spectacular.readthedocs.io/en/latest/settings.html).
SPECTACULAR_SETTINGS = {
    "TITLE": "Packyard API v5",
    "DESCRIPTION": "Read-only: packages with facts, scores and compatibility; grids; search.",
    "VERSION": "5.0.0",
    "OAS_VERSION": "3.1.0",
    "PREPROCESSING_HOOKS": ["packyard.api.v5.schema.only_v5"],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from validator.swagger.io: the docs page fetches nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
}

# Self-hosted code hosts whose repository URLs Packyard accepts, besides the public ones.
GITLAB_URL = os.environ.get("GITLAB_URL", "https://gitlab.com").rstrip("/")
GITLAB_HOSTS = env_list("GITLAB_HOSTS", default="")
FORGEJO_HOSTS = env_list("FORGEJO_HOSTS", default="")
# GitHub Enterprise host names whose repositories are read through GITHUB_API_URL.
GITHUB_HOSTS = env_list("GITHUB_HOSTS", default="")

# Outbound HTTP (packyard.core.http): seconds per request phase, connection retries, pool size.
HTTP_TIMEOUT = float(os.environ.get("HTTP_TIMEOUT", "10"))
HTTP_CONNECT_RETRIES = env_int("HTTP_CONNECT_RETRIES", default=2)
HTTP_MAX_CONNECTIONS = env_int("HTTP_MAX_CONNECTIONS", default=10)

# Refresh of facts (packyard.refresh). See the README's configuration table.
GITHUB_API_URL = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
GITHUB_TOKEN = os.environ.get("GITHUB_TOKEN", "")
# GitHub's GraphQL API answers only with a token, so without one every fact comes from REST.
GITHUB_GRAPHQL = env_bool("GITHUB_GRAPHQL", default=bool(GITHUB_TOKEN))
GITHUB_WEBHOOK_SECRET = os.environ.get("GITHUB_WEBHOOK_SECRET", "")
# The largest webhook body accepted; a larger one answers 413 before its signature is checked.
WEBHOOK_MAX_BYTES = env_int("WEBHOOK_MAX_BYTES", default=1024 * 1024)
GITLAB_TOKEN = os.environ.get("GITLAB_TOKEN", "")
BITBUCKET_API_URL = os.environ.get("BITBUCKET_API_URL", "https://api.bitbucket.org/2.0").rstrip("/")
PYPI_URL = os.environ.get("PYPI_URL", "https://pypi.org").rstrip("/")
REFRESH_INTERVAL_HOURS = float(os.environ.get("REFRESH_INTERVAL_HOURS", "12"))
REFRESH_BATCH_SIZE = env_int("REFRESH_BATCH_SIZE", default=500)
REFRESH_IN_FLIGHT_PER_HOST = env_int("REFRESH_IN_FLIGHT_PER_HOST", default=8)
REFRESH_MISSING_AFTER = env_int("REFRESH_MISSING_AFTER", default=3)
REFRESH_REQUEST_COOLDOWN_MINUTES = env_int("REFRESH_REQUEST_COOLDOWN_MINUTES", default=10)
# Requests kept back per host for people's own use of the token ("*" for any other host).
RATE_BUDGET_RESERVES = {"api.github.com": 100, "*": 5}

# Page sizes of the HTML lists.
PAGE_SIZE = env_int("PAGE_SIZE", default=25)

# HTTP caching (packyard.core.caching): ETags from the data version, 304s, and anonymous
# answers kept in the cache. 0 turns it off. Relative times on pages are at most this stale.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", default=300)
# How long a browser or a CDN may use an anonymous answer without asking again.
PAGE_MAX_AGE = env_int("PAGE_MAX_AGE", default=60)
# Set to the deployed version to share ETags between hosts; empty: a digest of the code.
PAGE_CACHE_RELEASE = os.environ.get("PAGE_CACHE_RELEASE", "")
# Bytes of kept answers each process also holds in its own memory, in front of a shared
# (Redis) cache: safe, as a key names its data version, and it spares a round trip for the
# pages most read. 0 (the default without Redis, whose cache is in-process already) turns it off.
PAGE_CACHE_LOCAL_BYTES = env_int(
    "PAGE_CACHE_LOCAL_BYTES", default=4 * 1024 * 1024 if REDIS_URL else 0
)
# Never validated nor cached: the admin and the sign-in pages.
PAGE_CACHE_EXEMPT_PATHS = ("/admin/", "/accounts/")

# Search (packyard.search): how text relevance and quality blend. See the README's "Search".
SEARCH_TEXT_WEIGHT = float(os.environ.get("SEARCH_TEXT_WEIGHT", "0.6"))
SEARCH_QUALITY_WEIGHT = float(os.environ.get("SEARCH_QUALITY_WEIGHT", "0.4"))
SEARCH_POPULARITY_STARS = env_int("SEARCH_POPULARITY_STARS", default=5000)
SEARCH_ACTIVITY_HALF_LIFE_DAYS = float(os.environ.get("SEARCH_ACTIVITY_HALF_LIFE_DAYS", "365"))
SEARCH_MAX_QUERY_LENGTH = env_int("SEARCH_MAX_QUERY_LENGTH", default=200)

# Compatibility and scoring. `manage.py import_releases URL` fetches only from this host.
RELEASE_CYCLES_URL = os.environ.get("RELEASE_CYCLES_URL", "https://endoflife.date").rstrip("/")
# The function (package ids -> {id: "I use this" count}) the adoption score reads; the daily
# rescoring picks up new marks.
SCORING_USAGE_COUNTS = "packyard.accounts.selectors.use_counts"

# Logs: plain lines on a laptop, one JSON object a line in production (LOG_FORMAT=json).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # Fields passed as `extra` (request_id, status, job, ...) become keys of the object.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per upstream request is too much at INFO; failures are logged by Packyard.
        "httpx": {"level": "WARNING"},
        # The scheduler logs every run of every job at INFO (its lock is extended every 5 s).
        "apscheduler": {"level": "WARNING"},
        # packyard.tasks logs each job once; these keep only failures (with their traceback).
        "django.tasks": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
