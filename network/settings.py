"""Switchboard settings, read from the environment (see .env.example).

Defaults are for a developer's machine: SQLite, the django-q2 ORM broker and console email.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and EMAIL_URL.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from network.env import env_bool, env_float, env_int, env_list, env_str, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent

# With no SECRET_KEY and no DEBUG in the environment this is a developer's checkout: DEBUG on,
# a development key. A deployment sets SECRET_KEY (and DEBUG=0), and then every production
# rule below applies; DEBUG=0 without a SECRET_KEY stops the process.
DEBUG = env_bool("DEBUG", default="SECRET_KEY" not in os.environ)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-switchboard"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_q",
    "csp",
    "axes",
    "network",
    "matching",
    "intake",
    "intake.bids",
    "handbook",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions and auth: a lost database answers a friendly 503, not a traceback.
    "network.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language cookie, then Accept-Language; a member's saved choice follows auth below.
    "django.middleware.locale.LocaleMiddleware",
    # Django's, but a POST (PUT, PATCH, DELETE) to an /api/ address without its slash is a
    # JSON 404, not a redirect that loses the body.
    "network.api_errors.ApiCommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "network.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A service's refusal that escapes a page view: 409 or 400, never a 500.
    "network.error_pages.ServiceRefusalMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "network.urls"
WSGI_APPLICATION = "network.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "network" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the django-q2 cluster writes; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue instead of failing with "database is locked" mid-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database that does not answer must not hold a web worker until the WSGI server kills it
# (gunicorn's --timeout, 30 s), nor the worker that replaces it: a request gives up and answers
# 503 (network.middleware) within seconds. Connecting gives up after DATABASE_CONNECT_TIMEOUT
# seconds in every process. Web processes (network.wsgi sets DATABASE_WEB_TIMEOUTS) also stop
# a statement after DATABASE_STATEMENT_TIMEOUT_MS and a wait for a lock after
# DATABASE_LOCK_TIMEOUT_MS (0: no limit). Commands (migrate, export_data) and the task cluster
# start through manage.py and get neither: a migration or an export may rightly take minutes,
# and a task that hangs is ended by the cluster's own timeout (Q_CLUSTER "timeout").
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=2)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 10_000, minimum=0)
DATABASE_LOCK_TIMEOUT_MS = env_int("DATABASE_LOCK_TIMEOUT_MS", 3_000, minimum=0)
DATABASE_WEB_TIMEOUTS = env_bool("DATABASE_WEB_TIMEOUTS", default=False)
# PostgreSQL's planner cost of reading a page out of order, sent for every process's session.
# The server's default (4) is meant for spinning disks: with it, a skill or language filter and a
# substring search of the directory scan the members' table instead of walking the indexes
# built for them (a skill at a level, a language, the trigrams), 2 to 10 times slower at 100,000
# members. 1.1 is the usual value for SSDs or a database that fits in memory; 0 leaves the
# server's own setting.
DATABASE_RANDOM_PAGE_COST = env_float("DATABASE_RANDOM_PAGE_COST", 1.1, minimum=0, maximum=100)
# Megabytes of freed memory each process keeps for reuse (``network.allocator``): a ranking over
# a large network makes and frees arrays of several megabytes per request, and mapping them afresh
# each time costs about half its time at a million members. 0 leaves the allocator's defaults.
ALLOCATOR_KEEP_MB = env_int("ALLOCATOR_KEEP_MB", 128, minimum=0)
# PostgreSQL: how many times a connection runs the same statement before it keeps it prepared
# on the server, which then skips parsing and planning it (half or more of the database's CPU
# for this service's short queries). Parameters are then sent apart from the SQL (server-side
# binding). 0 keeps Django's default, parameters inlined and nothing prepared: what a pooler
# that hands a session's statements to other connections (PgBouncer in transaction mode) needs.
DATABASE_PREPARE_THRESHOLD = env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=0)
if DATABASE_CONNECT_TIMEOUT > 60:
    raise ImproperlyConfigured("DATABASE_CONNECT_TIMEOUT is in seconds: at most 60.")
for _name in ("DATABASE_STATEMENT_TIMEOUT_MS", "DATABASE_LOCK_TIMEOUT_MS"):
    if 0 < globals()[_name] < 100:  # seconds typed where milliseconds are read
        raise ImproperlyConfigured(f"{_name} is in milliseconds: 0 (no limit) or at least 100.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    # Server settings for the session, sent when connecting: no query per request. A server
    # that cannot answer at all is given up on by network.middleware.
    _session = [_options.get("options", "")]
    if DATABASE_RANDOM_PAGE_COST:
        _session.append(f"-c random_page_cost={DATABASE_RANDOM_PAGE_COST:g}")
    if DATABASE_WEB_TIMEOUTS:
        _session.append(f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}")
        _session.append(f"-c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}")
    if any(_session):
        _options["options"] = " ".join(filter(None, _session))
    if DATABASE_PREPARE_THRESHOLD:
        _options.setdefault("server_side_binding", True)
        _options.setdefault("prepare_threshold", DATABASE_PREPARE_THRESHOLD)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue -------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        # Django's Redis backend, with one client per process, a one-round-trip counter, and
        # answers without Redis when it is away (network.cache). A cache call normally takes
        # well under a millisecond: a Redis that does not accept or answer within a second is
        # treated as away, so it costs a request a second, not the worker's whole timeout.
        "default": {
            "BACKEND": "network.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

Q_CLUSTER = {
    "name": "switchboard",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "save_limit": 500,
    "catch_up": False,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "network.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "desk"
LOGOUT_REDIRECT_URL = "home"
# django-axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (the sign-in page and POST /api/v1/auth/token/). Failures are counted per
# username *and* client address, so a guesser elsewhere cannot lock a member out; after the
# limit that pair waits out the cool-off, and a success clears the count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# 429 Too Many Requests: the request was fine, there were just too many of them.
AXES_HTTP_RESPONSE_CODE = 429
# No "AXES: BEGIN version …" line at the start of every command and process; lockouts and
# failed sign-ins are still logged (as WARNING).
AXES_VERBOSE = False
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, use the socket's
# address). Without it, behind a proxy every client would share the proxy's address; set too
# high, a client could choose its own. Every per-address limit reads the client's address
# through network.client_ip.client_ip_address, which this drives.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "network.client_ip.client_ip_address"
# Password reset by email, per hour: links sent to one address (beyond it the same "sent" page
# and no mail, so nobody can flood a member's inbox or learn who has an account), and requests
# from one client address (beyond it, 429).
PASSWORD_RESET_EMAILS_PER_HOUR = env_int("PASSWORD_RESET_EMAILS_PER_HOUR", 3, minimum=1)
PASSWORD_RESET_REQUESTS_PER_HOUR = env_int("PASSWORD_RESET_REQUESTS_PER_HOUR", 10, minimum=1)
# API tokens (POST /api/v1/auth/token/) stop working this many days after they were issued; the
# endpoint then issues a new one. A password change or reset ends them at once. At most a year:
# a token is a password that never asks for the password.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 30, minimum=1)
if API_TOKEN_LIFETIME_DAYS > 365:
    raise ImproperlyConfigured("API_TOKEN_LIFETIME_DAYS must be between 1 and 365.")
# Membership applications (/join/) accepted from one client address per clock hour; beyond it a
# 429 page and nothing kept. A person applies once; a few allow a shared office's connection.
MEMBERSHIP_APPLICATIONS_PER_HOUR = env_int("MEMBERSHIP_APPLICATIONS_PER_HOUR", 5, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="switchboard@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before an SMTP conversation is abandoned (and retried later); a send holds a row lock.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
# Where clients can write to the intake coordinator; shown on the public pages.
INTAKE_EMAIL = env_str("INTAKE_EMAIL", default=DEFAULT_FROM_EMAIL)
if env_str("EMAIL_URL", default=""):
    globals().update(parse_email_url(env_str("EMAIL_URL")))
else:
    EMAIL_BACKEND = env_str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )

# --- Internationalisation -------------------------------------------------------------------
# English is the source; Spanish and French catalogs live in each app's locale/ folder.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French"))]
TIME_ZONE = env_str("TIME_ZONE", default="America/Los_Angeles")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (production values unless DEBUG) ---------------------------------------------
# Switchboard takes no file uploads: a file part in any request (a page's form or the API's
# multipart body) is read and dropped, never held in memory or written to a temporary file.
FILE_UPLOAD_HANDLERS: list[str] = []
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A CSRF refusal under /api/ answers JSON like the API's other errors; pages keep Django's page.
CSRF_FAILURE_VIEW = "network.api_errors.csrf_failure"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if not SECURE_HSTS_PRELOAD:
        # The operator opted out of the browser preload list on purpose; say so once here
        # instead of failing every deploy check.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp). Every script and stylesheet is a file under /static/:
# no inline <script>, no on…= handlers, no <style> and no style="…" in our templates, and htmx
# is told not to inject its indicator <style> (the htmx-config meta in base.html). The Swagger
# UI at /api/docs/ loosens style-src for itself only (network/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The token first: its challenge ("WWW-Authenticate: Token") is what makes a call without
    # credentials a 401, which a client can tell from a 403 (signed in, not allowed). A request
    # without the header falls through to the session, which checks CSRF as before. Tokens
    # expire (API_TOKEN_LIFETIME_DAYS) and end with a password change (network.authentication).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "network.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # DRF's parsers; the JSON one answers a body nested too deeply with a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "network.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's handler, plus a JSON 400 for a body Django refuses to read (too large, too many
    # fields); the errors outside any view are network.urls' handlers (network.api_errors).
    "EXCEPTION_HANDLER": "network.api_errors.exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "network.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # Our throttles count by network.client_ip (ClientAddressThrottleMixin); this keeps DRF's
    # own get_ident, should a throttle ever miss the mixin, from reading the whole
    # X-Forwarded-For header a client can write (its behaviour when NUM_PROXIES is unset).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": "The referral desk of an alliance of independent tech consultants.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids read "consultants_list", not "v1_consultants_list".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "network.api.schema_framework_responses",
    ],
}

# --- Switchboard ----------------------------------------------------------------------------
# Probation before full membership; nine months follows the practice described in
# docs/architecture.md, "The alliance".
PROBATION_MONTHS = env_int("PROBATION_MONTHS", 9, minimum=0)
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", default="USD")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Status and password-reset links carry a secret in their path: masked in every line
    # written here (network/log_masking.py; for gunicorn's access log, its --logger-class).
    "filters": {"secret_paths": {"()": "network.log_masking.SecretPathFilter"}},
    "formatters": {
        # Django's runserver format, restated because its handler is restated below.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["secret_paths"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["secret_paths"],
        },
    },
    "loggers": {
        # On the loggers that write paths, so the record is masked before any handler (Django's
        # mail_admins, a test's caplog) sees it; runserver's access lines do not propagate.
        "django.request": {"filters": ["secret_paths"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["secret_paths"],
        },
        # django-q2 writes a line at INFO for every task queued ("Enqueued [switchboard] 12"),
        # picked up and finished, and for each process of a cluster starting and stopping. Unless
        # LOG_LEVEL asks for them, only its warnings and errors (a task that failed or timed
        # out, a worker that died) are written.
        "django-q": {"level": env_str("LOG_LEVEL", default="WARNING")},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
}

# --- Intake ---------------------------------------------------------------------------------
# Offers not answered within this many hours expire and return to the group coordinator.
OFFER_EXPIRY_HOURS = env_int("OFFER_EXPIRY_HOURS", 48, minimum=1)
# New requests must be contacted within this many business days (Monday–Friday).
RESPONSE_TARGET_BUSINESS_DAYS = env_int("RESPONSE_TARGET_BUSINESS_DAYS", 2, minimum=1)
# Same organisation, similar title, within this many days: flagged as a likely duplicate.
DUPLICATE_WINDOW_DAYS = env_int("DUPLICATE_WINDOW_DAYS", 30, minimum=1)
# Public submissions allowed per client address (API and form), as DRF rate strings. Only
# accepted submissions (and the honeypot's) count; ones refused for a mistake do not.
REQUEST_SUBMIT_RATE = env_str("REQUEST_SUBMIT_RATE", default="10/hour")
# Notification retries: attempts before a message is marked failed, and the first delay
# (doubled after each failure: 1, 2, 4 ... minutes, capped at NOTIFICATION_MAX_DELAY_MINUTES).
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 12, minimum=1)
NOTIFICATION_FIRST_DELAY_MINUTES = env_int("NOTIFICATION_FIRST_DELAY_MINUTES", 1, minimum=1)
NOTIFICATION_MAX_DELAY_MINUTES = env_int("NOTIFICATION_MAX_DELAY_MINUTES", 30, minimum=1)
NOTIFICATION_RETRY_BATCH = env_int("NOTIFICATION_RETRY_BATCH", 200, minimum=1)

# --- Matching -------------------------------------------------------------------------------
# The weight of each factor in a candidate's score (matching.rank.Weights; normalised to sum
# to 1). The values are the engine's own defaults (matching.rank.Weights).
MATCHING_WEIGHTS = {
    "skill_coverage": 0.45,
    "text_similarity": 0.15,
    "capacity": 0.10,
    "budget_fit": 0.10,
    "continuity": 0.10,
    "rotation": 0.10,
    # Pro bono requests only: pledged free service days left this year (the seven are then
    # scaled to sum to 1; a paid request's six keep these weights).
    "free_days_left": 0.10,
}
# Below this share of the required skills covered by any available member, the answer is to
# refer out. Set in whole percent from the environment.
MATCHING_COVERAGE_THRESHOLD = env_int("MATCHING_COVERAGE_PERCENT", 50, minimum=1) / 100
if MATCHING_COVERAGE_THRESHOLD > 1:
    raise ImproperlyConfigured("MATCHING_COVERAGE_PERCENT must be between 1 and 100.")
# The member directory (page and API) counts at most this many matches; beyond it the page says
# "more than N" and the API answers count N with count_capped true (network.pagination).
DIRECTORY_COUNT_CAP = env_int("DIRECTORY_COUNT_CAP", 1000, minimum=1)
# Candidates in an answer (the API and the request page's suggestions panel).
MATCHING_LIMIT = env_int("MATCHING_LIMIT", 10, minimum=1)
# Where the built matching index lives: one directory per version of .npy files that every
# process of the machine maps read-only (matching.index_files). Local disk, one per machine.
MATCHING_INDEX_DIR = Path(env_str("MATCHING_INDEX_DIR", default=str(BASE_DIR / "var" / "index")))
# "background": a web request never builds; after a change it answers from the previous version
# while a task (or `manage.py matching_index`) builds the next. "inline": the request that finds
# the index stale builds it (development and tests: every answer is fresh). Either way, the first
# request on a machine where no version was ever built builds one, under the machine's lock.
MATCHING_INDEX_BUILD = env_str("MATCHING_INDEX_BUILD", default="inline" if DEBUG else "background")
if MATCHING_INDEX_BUILD not in ("inline", "background"):
    raise ImproperlyConfigured('MATCHING_INDEX_BUILD must be "inline" or "background".')
# Handbook: a policy not reviewed for this many months shows as due and its owner is reminded.
HANDBOOK_REVIEW_MONTHS = env_int("HANDBOOK_REVIEW_MONTHS", 12, minimum=1)
# Handbook: a decision's quorum is this share (whole percent, rounded up, at least 1) of the
# working members when it is opened; they are its eligible voters.
DECISION_QUORUM_PERCENT = env_int("DECISION_QUORUM_PERCENT", 50, minimum=1)
if DECISION_QUORUM_PERCENT > 100:
    raise ImproperlyConfigured("DECISION_QUORUM_PERCENT must be between 1 and 100.")
# Handbook: a proposed change to a policy is voted under this rule, open this many days.
HANDBOOK_PROPOSAL_RULE = os.environ.get("HANDBOOK_PROPOSAL_RULE", "two_thirds")
if HANDBOOK_PROPOSAL_RULE not in ("consensus", "simple_majority", "two_thirds", "three_quarters"):
    raise ImproperlyConfigured(
        "HANDBOOK_PROPOSAL_RULE must be consensus, simple_majority, two_thirds or three_quarters."
    )
HANDBOOK_PROPOSAL_DAYS = env_int("HANDBOOK_PROPOSAL_DAYS", 14, minimum=1)
# The suggestions panel on the request page is a template tag of intake.matching_panel; it is
# registered here because intake has no templatetags package.
TEMPLATES[0]["OPTIONS"]["libraries"] = {"matching_panel": "intake.matching_panel"}
