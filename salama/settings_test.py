"""Settings for the test suite: production settings with a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SALAMA_HTTPS", "false")
os.environ.setdefault("SALAMA_TESTING", "true")
os.environ.setdefault("SALAMA_DATA_DIR", os.path.join(os.getcwd(), "test-artifacts"))

from salama.settings import *  # noqa: E402,F403
from salama.settings import DATA_DIR, DATABASES, STATIC_ROOT  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only

STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# A clean clone has no collected files: pages name the source files and WhiteNoise finds
# them there. tests/test_layout.py collects and serves the production storage itself.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# A file, not SQLite's shared in-memory database: the browser tests' live
# server answers overlapping requests (the desk's background look-ups) on
# several threads, and each needs its own connection and transaction.
if DATABASES and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}
