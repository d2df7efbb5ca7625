"""Test settings: the real settings, with a throwaway data directory and fast password hashing."""

import os
import tempfile

os.environ.setdefault("SKRIVBORD_DATA_DIR", tempfile.mkdtemp(prefix="skrivbord-test-"))
os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("SKRIVBORD_HTTPS", "0")

from skrivbord.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

from skrivbord.settings import DATA_DIR, DATABASES  # noqa: E402 (after the environment)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: WAL and busy_timeout then behave as in production,
    # so tests with concurrent writers see real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# A second database for tests that run an office node and an online node in one process.
# Only tests that ask for it (databases = {"default", "office"}) create it.
DATABASES["office"] = {
    **DATABASES["default"],
    "NAME": str(DATA_DIR / "office.sqlite3")
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    else f"{DATABASES['default']['NAME']}_office",
    "TEST": {
        "NAME": str(DATA_DIR / "test-office.sqlite3")
        if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        else f"test_{DATABASES['default']['NAME']}_office"
    },
}
