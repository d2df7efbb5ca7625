"""Settings for skrivbord. Everything a deployment changes comes from the environment.

See the configuration table in README.md. Nothing here needs editing by an operator.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from skrivbord.env import data_dir, envbool, envint, envlist, envstr, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

# "demo" and "dev" turn on DEBUG by default; production never does unless asked.
MODE = envstr("SKRIVBORD_MODE", "production")
DEBUG = envbool("DEBUG", MODE in {"demo", "dev"})
SECRET_KEY = secret_key(DATA_DIR)

NODE = envstr("SKRIVBORD_NODE", "online")
# The host part of iCalendar UIDs (<activity id>@host): one value on every node and for ever,
# or subscribed calendars would see every event twice.
ICAL_UID_HOST = envstr("SKRIVBORD_ICAL_UID_HOST", "skrivbord")
if NODE not in {"office", "online"}:
    raise ImproperlyConfigured("SKRIVBORD_NODE must be 'office' or 'online'.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "template_partials",
    "ninja",
    "skrivbord.core",
    "skrivbord.contacts",
    "skrivbord.activities",
    "skrivbord.accounting",
    "skrivbord.status",
    "skrivbord.help",
    "skrivbord.sync",
    "skrivbord.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who made each captured write (sync conflicts say so); after authentication.
    "skrivbord.sync.middleware.ActorMiddleware",
    "skrivbord.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "skrivbord.urls"
WSGI_APPLICATION = "skrivbord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "skrivbord.core.context_processors.desktop",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# Default: an embedded SQLite file in the data directory, in WAL mode so readers never wait
# for the writer. DATABASE_URL=postgres://... switches to PostgreSQL.
_default_sqlite = f"sqlite:///{DATA_DIR / 'skrivbord.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", _default_sqlite), conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA foreign_keys=ON;"
        ),
        # Take the write lock at BEGIN so two writers queue instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and passwords ---------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
BEHIND_PROXY = envbool("SKRIVBORD_BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "skrivbord.core.proxy.client_ip" if BEHIND_PROXY else None

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 12)

# --- Languages and formats -------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = envstr("TIME_ZONE", "Europe/Stockholm")
# Swedish number and date formats in both UI languages (1 234,50; 2026-11-27).
FORMAT_MODULE_PATH = ["skrivbord.formats_locale"]
USE_THOUSAND_SEPARATOR = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security --------------------------------------------------------------------------------
# Behind TLS in production; SKRIVBORD_HTTPS=0 for a plain-HTTP LAN installation.
HTTPS = envbool("SKRIVBORD_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # Preloading HSTS is a hard-to-undo decision for the domain's owner, so it is opt-in.
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    # A plain-HTTP LAN installation (SKRIVBORD_HTTPS=0) cannot have secure cookies or HSTS.
    *([] if HTTPS else ["security.W004", "security.W008", "security.W012", "security.W016"]),
]

# Uploads: refuse anything huge before it reaches a parser.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: far too chatty for the sync agent's log.
    "loggers": {"axes": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

# --- skrivbord -------------------------------------------------------------------------------
CONTACTS_PAGE_SIZE = 50
API_PAGE_SIZE_MAX = 500
NINJA_PAGINATION_MAX_LIMIT = API_PAGE_SIZE_MAX
SYNC_HISTORY_DAYS = envint("SYNC_HISTORY_DAYS", 90)  # sync sessions and settled conflicts
SYNC_RATE_LIMIT_PER_MINUTE = envint("SYNC_RATE_LIMIT_PER_MINUTE", 600)
SYNC_AGENT_LEASE_SECONDS = envint("SYNC_AGENT_LEASE_SECONDS", 30)
