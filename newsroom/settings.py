"""Newsroom settings: one module, configured entirely from the environment.

Every value can come from an environment variable (or a `.env` file next to
`manage.py`). Defaults are safe for a laptop: SQLite and a cache directory
under `var/`, e-mail printed to the console. Production sets
`DJANGO_SECRET_KEY`, `DJANGO_ALLOWED_HOSTS`, `DATABASE_URL` and `CACHE_URL`;
see README.md for the full list.
"""

import importlib.util
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from xstatic.pkg import bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOTENV", default=True) and (BASE_DIR / ".env").is_file():
    # Values already in the environment win over the file.
    env.read_env(BASE_DIR / ".env")


def _require_client(module: str, setting: str, extra: str) -> None:
    """Stop at start, with the fix, rather than fail on the first request."""
    try:
        found = importlib.util.find_spec(module) is not None
    except ImportError:
        found = False
    if not found:
        raise ImproperlyConfigured(
            f"{setting} needs the Python package '{module}', which is not installed. "
            f"Install the project with its '{extra}' extra: pip install '.[{extra}]' "
            f"(or '.[postgres,redis]' for both)."
        )


# --- Core -------------------------------------------------------------------

# Where the site keeps its own files by default: the SQLite database, the cache
# directory, collected static files. Relative to the project unless absolute.
VAR_DIR = BASE_DIR / env.str("NEWSROOM_DATA_DIR", default="var")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only")
else:
    try:
        SECRET_KEY = env("DJANGO_SECRET_KEY")
    except ImproperlyConfigured:
        # Refuse to start rather than sign sessions and forms with a guessable key.
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`. "
            "For local development set DJANGO_DEBUG=true instead."
        ) from None

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env("NEWSROOM_SITE_NAME", default="Newsroom")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "plumbing.pagecache",
    "articles",
    "comments",
    "newsroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "plumbing.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Below the security headers, so its 413 carries them too; above everything
    # that could read the body.
    "plumbing.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Old addresses of imported articles (issue 16). Above the shared answers,
    # which would answer "/?p=1724" with the front page's copy (an unknown
    # parameter changes nothing there); and so no 301 is kept as a copy.
    "articles.middleware.OldLinksMiddleware",
    # Below every middleware that sets response headers, above those with
    # nothing to do for an anonymous read: shared answers leave from here.
    "plumbing.pagecache.middleware.SharedAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, as django-axes asks: it answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "plumbing.context_processors.site",
                # In a page kept for every reader, the CSRF token is a placeholder.
                "plumbing.pagecache.personal.context_processor",
                "plumbing.pagecache.messages.context_processor",
                "articles.context_processors.navigation",
                "comments.context_processors.moderation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Take the write lock when a transaction starts, so two writers queue on
            # the busy timeout instead of failing with "database is locked" midway.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # WAL lets readers carry on while one writer commits.
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
            ),
        }
    )
# Keep connections between requests: opening one (and, for SQLite, running the
# PRAGMAs above) costs more than many a query.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _require_client("psycopg", "DATABASE_URL (postgres://...)", "postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------

# Shared by every process: copies of pages for anonymous readers, rate limits
# and flood counts. By default a cache directory on this host (diskcache), which
# every gunicorn worker shares; redis://... in production, for several hosts.
# Content versions live in the database, so no configuration serves a stale page.
CACHE_URL = env.str("CACHE_URL", default=f"diskcache://{VAR_DIR / 'cache'}")
if CACHE_URL.startswith("diskcache://"):
    CACHES = {
        "default": {
            "BACKEND": "plumbing.cachedir.DirectoryCache",
            # diskcache://path/to/dir, relative to the project unless absolute.
            "LOCATION": str(BASE_DIR / CACHE_URL.removeprefix("diskcache://")),
            "SHARDS": 4,
            # Seconds a process waits for another's write before giving up on a copy.
            "DATABASE_TIMEOUT": 0.1,
            "OPTIONS": {"size_limit": env.int("NEWSROOM_CACHE_SIZE_MB", default=256) * 1024 * 1024},
        }
    }
else:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Django's own Redis backend (django-environ would prefer django-redis if present),
    # keeping its clients (plumbing/rediscache.py).
    CACHES["default"]["BACKEND"] = "plumbing.rediscache.RedisCache"
    # Short timeouts: a cache that does not answer is skipped, not waited for.
    _timeout = env.float("DJANGO_CACHE_SOCKET_TIMEOUT", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {})
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", _timeout)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", _timeout)
CACHES["default"].setdefault("KEY_PREFIX", env("DJANGO_CACHE_KEY_PREFIX", default="newsroom"))
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    _require_client("redis", "CACHE_URL (redis://...)", "redis")

# --- Auth and sessions ------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses logins from a locked-out username and address before any check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the xstatic-bootstrap package, never a CDN or a copy.
    ("bootstrap", xstatic_bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Hashed names, so browsers may cache static files forever.
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Source maps and Sass sources are shipped by the package but never requested.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ["map", "scss", "woff", "woff2", "png", "jpg", "gif"]

# --- E-mail -----------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Newsroom <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)

# --- Background tasks -------------------------------------------------------

TASK_BACKENDS = {
    # Runs the task in the request, after the transaction commits: nothing to operate.
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    # Stores tasks in the database; run `manage.py db_worker` beside the web processes.
    "database": "django_tasks_db.DatabaseBackend",
}
_task_backend = env("DJANGO_TASKS_BACKEND", default="immediate")
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"DJANGO_TASKS_BACKEND must be one of {sorted(TASK_BACKENDS)}, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_task_backend]}}

# --- Security ---------------------------------------------------------------

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No inline script runs unless it carries this response's nonce.
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Editorial images come from other sites; Bootstrap draws icons as data: SVG.
        "img-src": [SELF, "https:", "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# A friendly page (that keeps the reader's text) when a form's CSRF token fails.
CSRF_FAILURE_VIEW = "plumbing.views.csrf_failure"

# Request sizes, set on purpose: a reply is at most COMMENTS_MAX_LENGTH
# characters and an article a few hundred kilobytes, so anything over 1 MiB is
# refused with 413 before it is read (RequestSizeLimitMiddleware), whichever
# parser would have handled it. Nothing on the site accepts file uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # the admin's bulk actions post one field per row
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Brute force on the admin login (django-axes): after AXES_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is locked out for
# AXES_COOLOFF_TIME. Attempts live in the database, so every process sees them.
AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    # Only behind a proxy that sets X-Forwarded-Proto itself and strips the client's.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

# --- Logging ----------------------------------------------------------------

LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # One JSON object per line on stdout, for any log collector.
        "json": {"()": "plumbing.logging.JsonFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Routed through root; Django's default handlers would print a second copy.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Tracebacks of failed requests are already logged by django.request.
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}

# --- Newsroom ---------------------------------------------------------------

# Absolute links in e-mails and background tasks, which have no request to go by.
SITE_URL = env("NEWSROOM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ARTICLES_PER_PAGE = env.int("NEWSROOM_ARTICLES_PER_PAGE", default=10)
# Where the admin lives. Moving it off "admin/" does not secure it (logins are
# still limited by django-axes), but keeps the scanners that try that address
# out of its login page and its log.
ADMIN_PATH = (env.str("NEWSROOM_ADMIN_PATH", default="admin").strip("/") or "admin") + "/"
# Reverse proxies in front of the site that append to X-Forwarded-For. 0 means
# clients connect directly and REMOTE_ADDR is their address.
NUM_PROXIES = env.int("DJANGO_NUM_PROXIES", default=0)
# django-axes counts failed logins by the address the rest of the site uses.
AXES_CLIENT_IP_CALLABLE = "plumbing.http.client_ip"
# Keep copies of anonymous readers' pages, feeds and API reads (see
# plumbing/pagecache). Off only to measure the uncached path.
NEWSROOM_SHARED_CACHE = env.bool("NEWSROOM_SHARED_CACHE", default=True)
# How long browsers and proxies may use a public answer without asking again.
# 0: they must ask each time (a cheap 304), so a removed comment is gone at once.
NEWSROOM_PUBLIC_MAX_AGE = env.int("NEWSROOM_PUBLIC_MAX_AGE", default=0)
# Reads per client that reach the database (answers from the shared cache are
# free): generous, so a polling client or a keen reader is never in trouble.
NEWSROOM_API_READ_RATE = env.str("NEWSROOM_API_READ_RATE", default="600/min")
NEWSROOM_PAGE_READ_RATE = env.str("NEWSROOM_PAGE_READ_RATE", default="300/min")

# --- Third-party apps -------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    # Token first: an API client without credentials is told to send a token (401).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["plumbing.api.permissions.NoCrossSiteWrites"],
    "DEFAULT_RENDERER_CLASSES": ["plumbing.api.renderers.FastJSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "plumbing.api.negotiation.JSONFirstNegotiation",
    # JSON or a form (either encoding); anything else is 415.
    "DEFAULT_PARSER_CLASSES": [
        "plumbing.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["plumbing.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["plumbing.api.throttling.ReadThrottle"],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom API",
    "DESCRIPTION": (
        "Published articles and their approved comments, posting replies, and "
        "moderation for staff. Public responses never contain e-mail addresses, "
        "IP addresses, user agents or comments that are not approved."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CommentStatusEnum": "comments.models.Comment.Status",
        # What an author is told of their own comment.
        "AuthorStatusEnum": ["approved", "pending"],
    },
}

# --- Comments ---------------------------------------------------------------

# "all": every reply waits for a moderator; "first": authors with an earlier
# approved reply are published at once; "none": publish unless a rule objects.
COMMENTS_MODERATION = env.str("COMMENTS_MODERATION", default="first")
if COMMENTS_MODERATION not in {"all", "first", "none"}:
    raise ImproperlyConfigured("COMMENTS_MODERATION must be one of: all, first, none.")
COMMENTS_MAX_LENGTH = env.int("COMMENTS_MAX_LENGTH", default=5000)
COMMENTS_MAX_LINKS = env.int("COMMENTS_MAX_LINKS", default=2)
# Levels of a thread, the top level included; deeper replies join the deepest level.
COMMENTS_MAX_DEPTH = env.int("COMMENTS_MAX_DEPTH", default=5)
COMMENTS_PER_PAGE = env.int("COMMENTS_PER_PAGE", default=50)
# Comments close this many days after publication unless an editor sets a date;
# 0 keeps them open.
COMMENTS_CLOSE_AFTER_DAYS = env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0)
COMMENTS_MIN_SECONDS = env.int("COMMENTS_MIN_SECONDS", default=3)
COMMENTS_FORM_MAX_AGE = env.int("COMMENTS_FORM_MAX_AGE", default=6 * 60 * 60)
COMMENTS_FLOOD_LIMIT = env.int("COMMENTS_FLOOD_LIMIT", default=5)
COMMENTS_FLOOD_SECONDS = env.int("COMMENTS_FLOOD_SECONDS", default=60)
COMMENTS_API_POST_RATE = env.str("COMMENTS_API_POST_RATE", default="5/min")
COMMENTS_API_BURST_RATE = env.str("COMMENTS_API_BURST_RATE", default="1/second")
COMMENTS_MODERATORS = env.list("COMMENTS_MODERATORS", default=[])
# For this many minutes after sending it, the author may edit or delete a reply
# (from the same browser, or with the API's edit token); 0 turns this off.
COMMENTS_EDIT_MINUTES = env.int("COMMENTS_EDIT_MINUTES", default=15)
# Names readers may not post under (besides the site's own and its staff's full
# names), compared whatever letters spell them (comments/names.py).
COMMENTS_RESERVED_NAMES = env.list(
    "COMMENTS_RESERVED_NAMES",
    default=["The editors", "Editor", "Editors", "Moderator", "Moderators", "Staff", "Admin"],
)
# Replies reported by this many readers (addresses) are held for review; 0: never.
COMMENTS_REPORT_THRESHOLD = env.int("COMMENTS_REPORT_THRESHOLD", default=3)
# How many reports one client may send, through the form and the API together.
COMMENTS_REPORT_RATE = env.str("COMMENTS_REPORT_RATE", default="10/hour")
# IP addresses and user agents of replies older than this many days are erased
# by `manage.py purge_personal_data` (comments/retention.py); 0 keeps them.
COMMENTS_IP_RETENTION_DAYS = env.int("COMMENTS_IP_RETENTION_DAYS", default=30)
# Keep the /24 or /48 of a purged address for moderators.
COMMENTS_KEEP_NETWORK = env.bool("COMMENTS_KEEP_NETWORK", default=False)
# The data page (comments/privacy.py): how long a mailed link to download or
# erase one's data works; how many links one address is sent, and how many
# one client may ask for, whatever the addresses.
COMMENTS_DATA_LINK_HOURS = env.int("COMMENTS_DATA_LINK_HOURS", default=24)
COMMENTS_DATA_LINK_RATE = env.str("COMMENTS_DATA_LINK_RATE", default="3/day")
COMMENTS_DATA_LINK_CLIENT_RATE = env.str("COMMENTS_DATA_LINK_CLIENT_RATE", default="10/hour")
# Recommendations: at most this many per reply from one address (an IPv6 /48),
# whatever its browsers' cookies say; 0: no bound.
COMMENTS_RECOMMENDATIONS_PER_ADDRESS = env.int("COMMENTS_RECOMMENDATIONS_PER_ADDRESS", default=5)
# How many recommendations (or take-backs) one client may send, form and API together.
COMMENTS_RECOMMEND_RATE = env.str("COMMENTS_RECOMMEND_RATE", default="120/hour")
# Pages and API answers may show recommendation counts this many seconds late:
# a burst of clicks remakes a hot page once per such slice, not once per click.
COMMENTS_RECOMMENDATIONS_LAG = env.int("COMMENTS_RECOMMENDATIONS_LAG", default=5)
# Mail to commenters (comments/notifications.py): a followed discussion's new
# replies go in one mail at most every this many minutes (0: each as it comes);
# confirmation mails go at most this often to one address, and at this rate
# for one client (an IPv6 /48) whatever the addresses.
COMMENTS_DIGEST_MINUTES = env.int("COMMENTS_DIGEST_MINUTES", default=60)
COMMENTS_CONFIRM_RATE = env.str("COMMENTS_CONFIRM_RATE", default="3/day")
COMMENTS_CONFIRM_CLIENT_RATE = env.str("COMMENTS_CONFIRM_CLIENT_RATE", default="10/hour")
# The rules every new reply goes through, in order; see comments/moderation.py.
COMMENTS_RULES = env.list(
    "COMMENTS_RULES",
    default=[
        "comments.moderation.Honeypot",
        "comments.moderation.StaleForm",
        "comments.moderation.TooFast",
        "comments.moderation.Flood",
        "comments.moderation.Duplicate",
        "comments.moderation.Blocklist",
        "comments.moderation.TooManyLinks",
    ],
)
