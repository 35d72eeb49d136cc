"""Salama settings: one file, configured from the environment.

SQLite in the data folder by default; PostgreSQL with DATABASE_URL=postgres://...
SALAMA_DEMO=true is the local demonstration mode (plain HTTP on localhost,
two-factor enforcement off with a visible banner); the `salama` command sets it
in a data folder made by `salama demo`. Every setting is listed in docs/operations.md.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from salama.envutil import (
    ConfigError,
    data_dir,
    database_free,
    envbool,
    envint,
    envlist,
    envsecret,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

DEMO = envbool("SALAMA_DEMO")
DEBUG = envbool("SALAMA_DEBUG")
# A command that touches no database and no secret (`salama linkage dedup`, `salama
# screening evaluate`, ...; the list is in salama/cli.py): it runs without configuration,
# with a throwaway key and no database, and writes nothing into the data folder.
DATABASE_FREE = database_free()


def _absence_rules() -> dict[str, dict[str, int]]:
    import json

    from salama.lib.absence import DEFAULT_RULES, rules_from

    raw = os.getenv("SALAMA_ABSENCE_RULES", "")
    try:
        overrides = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise ConfigError(f"SALAMA_ABSENCE_RULES is not JSON: {exc}") from None
    if not isinstance(overrides, dict):
        raise ConfigError("SALAMA_ABSENCE_RULES must be a JSON object")
    try:
        rules = rules_from(overrides)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return {p: {"checks": r.checks, "days": r.days} for p, r in rules.items() if p in DEFAULT_RULES}


_RANDOM_STRING_COMMAND = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _secret_key() -> str:
    key = envsecret("SECRET_KEY")
    if key:
        return key
    if DATABASE_FREE:
        return secrets.token_urlsafe(50)  # never stored: nothing is signed or kept
    if not DEMO:
        raise ConfigError(
            "SECRET_KEY is not set: set SECRET_KEY_FILE to a file holding a long random "
            f"string (make one with {_RANDOM_STRING_COMMAND}) or SECRET_KEY to the string itself; "
            "to try Salama, run `salama demo` (docs/operations.md)"
        )
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
# Earlier secret keys, comma-separated, still accepted for what they signed (sessions,
# screening forms in progress) while a new SECRET_KEY takes over (docs/operations.md).
_fallbacks = (envsecret("SECRET_KEY_FALLBACKS") or "").replace("\n", ",")
SECRET_KEY_FALLBACKS = [key.strip() for key in _fallbacks.split(",") if key.strip()]


def _field_keys() -> list[str]:
    """Fernet keys for field-level encryption (docs/security.md), newest first:
    SALAMA_FIELD_KEYS (comma-separated) or SALAMA_FIELD_KEYS_FILE, kept outside
    the database. Add a new key in front to rotate; old keys still decrypt.
    The demo and the tests keep a generated key in the data folder."""
    keys = envsecret("SALAMA_FIELD_KEYS")
    if keys:
        return _checked_fernet_keys(keys)
    if DATABASE_FREE:
        return []  # nothing to decrypt without a database
    if not DEMO and not envbool("SALAMA_TESTING"):
        raise ConfigError(
            "SALAMA_FIELD_KEYS is not set: set SALAMA_FIELD_KEYS_FILE to a file holding a "
            "Fernet key (make one with python3 -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())') or SALAMA_FIELD_KEYS to the key itself "
            "(docs/operations.md)"
        )
    from cryptography.fernet import Fernet

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "field_keys"
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode(), encoding="utf-8")
        key_file.chmod(0o600)
    return [key_file.read_text(encoding="utf-8").strip()]


def _checked_fernet_keys(text: str) -> list[str]:
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in text.replace("\n", ",").split(",") if k.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:  # the key itself is never printed
            raise ConfigError(
                f"SALAMA_FIELD_KEYS: key {number} of {len(keys)} is not a Fernet key (44 "
                "characters of URL-safe base64); make one with python3 -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None
    return keys


SALAMA_FIELD_KEYS = _field_keys()


def _audit_keys() -> list[str]:
    """Secrets that key the audit chain and sign its checkpoints (docs/security.md),
    newest first: SALAMA_AUDIT_KEYS (comma- or line-separated) or SALAMA_AUDIT_KEYS_FILE,
    kept outside the database. Without them, a key generated on first use is kept in
    the data folder's `audit_keys` (back it up apart from the database)."""
    configured = envsecret("SALAMA_AUDIT_KEYS")
    if DATABASE_FREE and not configured:
        return []  # nothing to audit without a database
    if not configured:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file = DATA_DIR / "audit_keys"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
            key_file.chmod(0o600)
        configured = key_file.read_text(encoding="utf-8")
    keys = [k.strip() for k in configured.replace("\n", ",").split(",") if k.strip()]
    for number, key in enumerate(keys, start=1):
        if len(key) < 32:  # the key itself is never printed
            raise ConfigError(
                f"SALAMA_AUDIT_KEYS: key {number} of {len(keys)} is shorter than 32 characters; "
                "make one with python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
    return keys


SALAMA_AUDIT_KEYS = _audit_keys()
# Signed audit checkpoints (head hash and count) are written here, outside the database.
SALAMA_AUDIT_CHECKPOINT_DIR = Path(
    os.getenv("SALAMA_AUDIT_CHECKPOINT_DIR") or DATA_DIR / "audit-checkpoints"
).resolve()
# Reading more distinct people than this within an hour alerts the data-protection officers.
SALAMA_BULK_ACCESS_LIMIT = envint("SALAMA_BULK_ACCESS_LIMIT", 200)
# Largest OpenRosa submission (XML and attachments together) accepted, in bytes.
SALAMA_OPENROSA_MAX_BYTES = envint("SALAMA_OPENROSA_MAX_BYTES", 10 * 1024 * 1024)
# API bearer tokens: lifetime when none is chosen, and the longest one may choose (days).
SALAMA_API_TOKEN_MAX_DAYS = max(envint("SALAMA_API_TOKEN_MAX_DAYS", 365), 1)
SALAMA_API_TOKEN_DAYS = min(max(envint("SALAMA_API_TOKEN_DAYS", 90), 1), SALAMA_API_TOKEN_MAX_DAYS)
# How long the first answer to an API call with an Idempotency-Key is kept (hours).
SALAMA_IDEMPOTENCY_HOURS = max(envint("SALAMA_IDEMPOTENCY_HOURS", 24), 1)
# Small-cell suppression threshold for published counts (docs/security.md; never below 5).
SALAMA_SUPPRESSION_K = max(envint("SALAMA_SUPPRESSION_K", 11), 5)
# k for figures and cases that leave the agencies (HXL, PDF, CTDC): 11 as the CTDC uses.
SALAMA_SHARING_K = max(envint("SALAMA_SHARING_K", 11), 5)
# Total privacy loss (epsilon) of the differentially private releases of one site in
# any 365 days (docs/reports.md): a release that would pass it is refused.
SALAMA_DP_EPSILON_PER_YEAR = max(envint("SALAMA_DP_EPSILON_PER_YEAR", 30), 1)
# Absence alerts (docs/presence.md): per profile, how many consecutive presence
# checks missed ("checks") or days not seen ("days") raise one. JSON in the
# environment overrides any part of salama.lib.absence.DEFAULT_RULES, e.g.
# SALAMA_ABSENCE_RULES='{"adult": {"days": 7}}'; a bad value stops the start.
SALAMA_ABSENCE_RULES = _absence_rules()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEMO else "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "salama.audit",
    "salama.core",
    "salama.jobs",
    "salama.notifications",
    "salama.registry",
    "salama.screening",
    "salama.administration",
    "salama.privacy",
    "salama.tracing",
    "salama.presence",
    "salama.cases",
    "salama.civil",
    "salama.complaints",
    "salama.warning",
    "salama.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "salama.core.middleware.session_limits",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "salama.core.middleware.no_store",
    "salama.core.middleware.method_not_allowed_page",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salama.urls"
WSGI_APPLICATION = "salama.wsgi.application"

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
                "salama.core.context.salama",
                "salama.notifications.context.notifications",
            ],
        },
    },
]


def _make_data_dir() -> None:
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"SALAMA_DATA_DIR={DATA_DIR} cannot be created ({exc.strerror}): create it, "
            "writable by the user running Salama, or set SALAMA_DATA_DIR to another folder"
        ) from None


# The audit trail's append-only triggers exist for these two databases only.
_DATABASE_SCHEMES = ("postgres://", "postgresql://", "sqlite://")
_DATABASE_URL_FORM = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path.sqlite3"


def _database() -> dj_database_url.DBConfig:
    url = os.getenv("DATABASE_URL")
    if not url:  # SQLite in the data folder, which one laptop's deployment may not have yet
        _make_data_dir()
        url = f"sqlite:///{DATA_DIR / 'salama.sqlite3'}"
    if not url.startswith(_DATABASE_SCHEMES):
        scheme = url.split("://", 1)[0] if "://" in url else "no scheme"
        raise ConfigError(
            f"DATABASE_URL must name PostgreSQL or SQLite ({_DATABASE_URL_FORM}), "
            f"not {scheme!r}; unset it to use SQLite in SALAMA_DATA_DIR"
        )
    try:
        database = dj_database_url.parse(
            url, conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    except ValueError:  # the message would quote the URL, password included
        raise ConfigError(
            f"DATABASE_URL is not a valid database URL: write it as {_DATABASE_URL_FORM}, "
            "with special characters in the password %-encoded"
        ) from None
    if database["ENGINE"].endswith("sqlite3"):
        # Django's backend, with the database file and its -wal/-shm readable
        # by the service user only (0600, like the key files).
        database["ENGINE"] = "salama.core.db.sqlite3"
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
        database["OPTIONS"]["timeout"] = 20
        # Write-ahead logging: the demo's worker thread and the web requests read
        # while the other writes, instead of waiting for each other's locks.
        database["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
    return database


# A database-free command gets none: Django's placeholder refuses every query.
DATABASES = {} if DATABASE_FREE else {"default": _database()}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication (docs/security.md#signing-in) ---
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
    {
        "NAME": "salama.core.passwords.TranslatedMinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "salama.core.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 64}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = envint("SALAMA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# Lockout is per user name, not per address: camp offices share one address
# behind NAT, and locking it would lock every colleague out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "salama.core.views.locked_out"
AXES_VERBOSE = False

SALAMA_ENFORCE_2FA = envbool("SALAMA_ENFORCE_2FA", "False" if DEMO else "True")
OTP_TOTP_ISSUER = "Salama"

SESSION_COOKIE_AGE = 30 * 60  # idle timeout (salama.core.middleware.session_limits)
# The session row is written when it changes, not on every request: the idle stamp in it
# is renewed once a minute at most (a write per read would queue requests on the database).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SALAMA_SESSION_ABSOLUTE_SECONDS = envint("SALAMA_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Transport and headers (docs/security.md#transport-and-pages) ---
SECURE_HTTPS = not DEMO and envbool("SALAMA_HTTPS", "True")
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and envbool("SALAMA_SSL_REDIRECT", "True")
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SALAMA_BEHIND_PROXY = envbool("SALAMA_BEHIND_PROXY")
if SALAMA_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# `salama serve` (waitress) takes X-Forwarded-Proto, -For and -Host only from
# these peers (an address, or "*" for any, e.g. in a container network), and
# only the last SALAMA_TRUSTED_PROXY_COUNT proxies' values.
SALAMA_TRUSTED_PROXY = os.getenv("SALAMA_TRUSTED_PROXY", "127.0.0.1" if SALAMA_BEHIND_PROXY else "")
SALAMA_TRUSTED_PROXY_COUNT = max(envint("SALAMA_TRUSTED_PROXY_COUNT", 1), 1)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# --- Background jobs (docs/jobs.md): Django's tasks API on the database ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Notifications (docs/notifications.md) ---
# Links in messages that leave Salama point here; they carry no personal data.
SALAMA_BASE_URL = os.getenv("SALAMA_BASE_URL", "http://127.0.0.1:8000" if DEMO else "").rstrip("/")
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEMO
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "salama@localhost")
# Outgoing webhook (SMS gateways, other systems): HMAC-SHA256 signed with the secret.
SALAMA_WEBHOOK_URL = os.getenv("SALAMA_WEBHOOK_URL", "")
SALAMA_WEBHOOK_SECRET = envsecret("SALAMA_WEBHOOK_SECRET") or ""

# --- Exports, transfers and retention (docs/data-protection.md) ---
# Exports are encrypted files kept this many days at most (PROTECTION.md 14):
# a deployment may shorten it, never lengthen it beyond 30.
SALAMA_EXPORT_DAYS = min(max(envint("SALAMA_EXPORT_DAYS", 30), 1), 30)
# Transfers to the authorities of the country people fled are refused even under
# an agreement, unless the deployment decides otherwise (PROTECTION.md 15).
SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES = envbool("SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES")
# Retention (PROTECTION.md 19), in days; the nightly privacy.retention job deletes
# what passed its period. What starts each period: docs/data-protection.md.
SALAMA_RETENTION_SCREENING_DAYS = max(envint("SALAMA_RETENTION_SCREENING_DAYS", 5 * 365), 1)
SALAMA_RETENTION_SUBMISSION_DAYS = max(envint("SALAMA_RETENTION_SUBMISSION_DAYS", 90), 1)
SALAMA_RETENTION_IMPORT_DAYS = max(envint("SALAMA_RETENTION_IMPORT_DAYS", 30), 1)
SALAMA_RETENTION_CLOSED_PERSON_DAYS = max(envint("SALAMA_RETENTION_CLOSED_PERSON_DAYS", 2 * 365), 1)
SALAMA_RETENTION_TRACING_DAYS = max(envint("SALAMA_RETENTION_TRACING_DAYS", 2 * 365), 1)
# Protection cases: kept this long after they are closed, then deleted with
# their journal, plan, referrals and services.
SALAMA_RETENTION_CASES_DAYS = max(envint("SALAMA_RETENTION_CASES_DAYS", 5 * 365), 1)
# Complaints of sexual exploitation and abuse closed longer ago than this are deleted with
# their evidence and chain of custody (docs/complaints.md).
SALAMA_RETENTION_COMPLAINTS_DAYS = max(envint("SALAMA_RETENTION_COMPLAINTS_DAYS", 7 * 365), 1)
# Hours after a referral's answer time (the service's own) until its
# organisation's supervisors and the referring caseworker are told.
SALAMA_REFERRAL_ESCALATION_HOURS = max(envint("SALAMA_REFERRAL_ESCALATION_HOURS", 24), 1)
SALAMA_RETENTION_PRESENCE_DAYS = max(envint("SALAMA_RETENTION_PRESENCE_DAYS", 365), 1)

# --- Missing-persons desk (docs/tracing.md) ---
# Minutes from a report to its first action, per urgency: an urgent case is
# due at once. SALAMA_TRACING_FIRST_ACTION_MINUTES="urgent=0,high=60,normal=180,low=1440".
SALAMA_TRACING_FIRST_ACTION_MINUTES = {
    level: int(minutes)
    for level, minutes in (
        item.split("=", 1)
        for item in envlist(
            "SALAMA_TRACING_FIRST_ACTION_MINUTES", "urgent=0,high=60,normal=180,low=1440"
        )
    )
}
# Minutes after a missed first action until the protection officer, then (as
# long again, at least 30) the site manager, is told: "urgent=15/30,high=0/60".
SALAMA_TRACING_ESCALATION_MINUTES = {
    level: (int(first), int(second))
    for level, steps in (
        item.split("=", 1)
        for item in envlist(
            "SALAMA_TRACING_ESCALATION_MINUTES", "urgent=15/30,high=0/60,normal=0/180,low=0/1440"
        )
    )
    for first, second in [steps.split("/", 1)]
}

# The public report page (docs/tracing.md#the-public-report-page): reports
# stored per client (a keyed hash of its address) and per desk in an hour,
# failed status look-ups per client in an hour, and how long a form must be
# open (seconds) before it may be sent and after which it is too old.
SALAMA_TRACING_PUBLIC_REPORTS_PER_CLIENT = max(
    envint("SALAMA_TRACING_PUBLIC_REPORTS_PER_CLIENT", 5), 1
)
SALAMA_TRACING_PUBLIC_REPORTS_PER_DESK = max(
    envint("SALAMA_TRACING_PUBLIC_REPORTS_PER_DESK", 30), 1
)
SALAMA_TRACING_PUBLIC_LOOKUPS_PER_CLIENT = max(
    envint("SALAMA_TRACING_PUBLIC_LOOKUPS_PER_CLIENT", 20), 1
)
SALAMA_TRACING_PUBLIC_FORM_MIN_SECONDS = max(envint("SALAMA_TRACING_PUBLIC_FORM_MIN_SECONDS", 3), 0)
SALAMA_TRACING_PUBLIC_FORM_MAX_SECONDS = max(
    envint("SALAMA_TRACING_PUBLIC_FORM_MAX_SECONDS", 7200), 60
)

# --- Civil registration (docs/civil-registration.md) ---
# Who the registrar is: "state" (the host state's office works in Salama and its
# certificate is the legal one) or "humanitarian" (Salama issues a registration
# record, refers the family to the authority and records the state's number).
SALAMA_CIVIL_REGISTRAR = os.getenv("SALAMA_CIVIL_REGISTRAR", "humanitarian")
if SALAMA_CIVIL_REGISTRAR not in {"state", "humanitarian"}:
    raise ConfigError(
        f"SALAMA_CIVIL_REGISTRAR must be state or humanitarian, not {SALAMA_CIVIL_REGISTRAR!r}"
    )
# The authority's name, printed on documents and named in referrals to it.
SALAMA_CIVIL_AUTHORITY = os.getenv("SALAMA_CIVIL_AUTHORITY", "Civil Status Department")
# The host country whose marriage law is shown as context (ISO code, or empty).
SALAMA_CIVIL_JURISDICTION = os.getenv("SALAMA_CIVIL_JURISDICTION", "").upper()
# The minimum age of marriage for anything Salama issues: 18, or higher, never lower.
SALAMA_MARRIAGE_MINIMUM_AGE = envint("SALAMA_MARRIAGE_MINIMUM_AGE", 18)
if SALAMA_MARRIAGE_MINIMUM_AGE < 18:
    raise ConfigError(
        "SALAMA_MARRIAGE_MINIMUM_AGE can only raise the minimum age of marriage of 18, "
        f"not lower it to {SALAMA_MARRIAGE_MINIMUM_AGE}"
    )
# Whether the host law allows a married man another wife (a flag either way).
SALAMA_CIVIL_POLYGAMY_ALLOWED = envbool("SALAMA_CIVIL_POLYGAMY_ALLOWED")
# A birth or death declared more than this many days after it is a late registration.
SALAMA_CIVIL_LATE_DAYS = max(envint("SALAMA_CIVIL_LATE_DAYS", 365), 30)
# The languages of certificates, in order (Arabic and English at least are advised).
SALAMA_CIVIL_CERTIFICATE_LANGUAGES = [
    c.strip().lower() for c in envlist("SALAMA_CIVIL_CERTIFICATE_LANGUAGES", "ar,en")
] or ["ar", "en"]
if set(SALAMA_CIVIL_CERTIFICATE_LANGUAGES) - {"ar", "en", "fr"}:
    raise ConfigError(
        "SALAMA_CIVIL_CERTIFICATE_LANGUAGES lists ar, en and fr only, not "
        f"{','.join(SALAMA_CIVIL_CERTIFICATE_LANGUAGES)}"
    )
# Look-ups per client and hour on the public verification page.
SALAMA_CIVIL_VERIFICATIONS_PER_CLIENT = max(envint("SALAMA_CIVIL_VERIFICATIONS_PER_CLIENT", 30), 1)
# The Ed25519 key that signs certificates' QR statements (PKCS8 PEM); without it, a key
# made on first use is kept in the data folder's `certificate_key.pem` (back it up).
SALAMA_CIVIL_SIGNING_KEY = envsecret("SALAMA_CIVIL_SIGNING_KEY") or ""

# --- Complaints of sexual exploitation and abuse (docs/complaints.md) ---
# Early warning (docs/warning.md): hours a protection officer has to verify an alert.
SALAMA_WARNING_VERIFY_HOURS = max(envint("SALAMA_WARNING_VERIFY_HOURS", 48), 1)
# Monte Carlo replicates of the space-time scan of blocks (p-values down to 1/(n+1)).
SALAMA_WARNING_SCAN_REPLICATES = max(envint("SALAMA_WARNING_SCAN_REPLICATES", 999), 99)
# Deadlines, after which the focal points and the network's coordinator are told once:
# acknowledging a complaint, referring the survivor for assistance, referring the
# complaint for investigation, first feedback to the complainant.
SALAMA_COMPLAINTS_ACK_HOURS = max(envint("SALAMA_COMPLAINTS_ACK_HOURS", 24), 1)
SALAMA_COMPLAINTS_ASSISTANCE_HOURS = max(envint("SALAMA_COMPLAINTS_ASSISTANCE_HOURS", 72), 1)
SALAMA_COMPLAINTS_INVESTIGATION_DAYS = max(envint("SALAMA_COMPLAINTS_INVESTIGATION_DAYS", 7), 1)
SALAMA_COMPLAINTS_FEEDBACK_DAYS = max(envint("SALAMA_COMPLAINTS_FEEDBACK_DAYS", 30), 1)
# Complaints stored, and failed receipt-code look-ups, per client network and hour on the
# public pages. A camp often shares one connection: the limits are generous (a 16-digit
# code cannot be guessed in any number of tries; they stop floods, not guessing).
SALAMA_COMPLAINTS_PUBLIC_PER_CLIENT = max(envint("SALAMA_COMPLAINTS_PUBLIC_PER_CLIENT", 30), 1)
SALAMA_COMPLAINTS_LOOKUPS_PER_CLIENT = max(envint("SALAMA_COMPLAINTS_LOOKUPS_PER_CLIENT", 60), 1)
# How long an administrator's break of the glass lets them read one complaint.
SALAMA_COMPLAINTS_BREAK_GLASS_HOURS = min(
    max(envint("SALAMA_COMPLAINTS_BREAK_GLASS_HOURS", 2), 1), 24
)
# The pepper of receipt-code hashes. Without it one is derived from SECRET_KEY: set it,
# so that rotating SECRET_KEY does not make every complainant's code unknown.
SALAMA_COMPLAINTS_RECEIPT_PEPPER = envsecret("SALAMA_COMPLAINTS_RECEIPT_PEPPER") or ""

# --- Internationalisation ---
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Static files are collected (`salama serve` and `salama demo` run collectstatic) with a
# hash of their content in their names and gzip copies beside them: WhiteNoise serves them
# compressed and as immutable, so browsers keep them (a new version has a new name). Pages
# then need the collected manifest; with SALAMA_DEBUG the files come from the source tree.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
SALAMA_IMPORT_MAX_BYTES = envint("SALAMA_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# Logs never carry personal data: request bodies and query strings are not logged.
# Tracebacks are logged with every exception's message withheld (salama.core.logs).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"withhold_values": {"()": "salama.core.logs.WithholdValues"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["withhold_values"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["withhold_values"],
        }
    },
}
