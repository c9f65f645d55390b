"""Settings for recruit, read from the environment with safe defaults for local use.

DJANGO_ENV=production switches to production defaults and refuses to start without the
variables production needs. See the configuration table in README.md.
"""
import datetime
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from recruit.env import ConfigurationError, email_settings, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RECRUIT_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV={DJANGO_ENV!r}: use development or production.")
PRODUCTION = DJANGO_ENV == "production"


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without it: set SECRET_KEY to a "
            "long random value, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    # Development: keep one generated key in a git-ignored file so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


try:
    SECRET_KEY = _secret_key()
    DEBUG = env_bool("DEBUG", not PRODUCTION)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
    if PRODUCTION and not ALLOWED_HOSTS:
        raise ConfigurationError("ALLOWED_HOSTS must list the host names recruit is served under.")
    EMAIL_CONFIG = email_settings(env_str("EMAIL_URL", "smtp://localhost:25?tls=0" if PRODUCTION else "console://"))
    DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'recruit.sqlite3'}")
    CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60 if PRODUCTION else 0)
except ConfigurationError as error:
    raise ImproperlyConfigured(str(error)) from None

globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "recruit <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address participants' links point to, e.g. https://recruit.example.org (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "recruit",
    "api",
]

MIDDLEWARE = [
    # Answers /healthz before host checks and HTTPS redirects, so load balancers can probe it.
    "recruit.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The reader's time zone: a participant's stored one, the browser's (cookie), or TIME_ZONE.
    "recruit.timezones.TimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recruit.urls"
WSGI_APPLICATION = "recruit.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while a write is in progress; the timeout waits out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("nb", _("Norwegian bokmål"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["recruit.formats"]  # named date formats per language: "j. F Y" in bokmål
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Oslo")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Media on S3-compatible storage (pip install '.[s3]'); credentials come from AWS_* variables.
if env_str("MEDIA_STORAGE", "local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", required=True),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's, refusing NUL characters (which PostgreSQL cannot store) with a 400.
        "api.parsers.JSONParser",
        "api.parsers.FormParser",
        "api.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    # Throttles count per process (the default local-memory cache); "token" guards the endpoint
    # that trades a password for an API token.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANON", "60/minute"),
        "user": env_str("API_RATE_USER", "1200/minute"),
        "token": env_str("API_RATE_TOKEN", "10/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "recruit API",
    "DESCRIPTION": "Participants, studies, enrollments and the recruitment pipeline.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI from the sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PipelineStatusEnum": "recruit.pipeline.Status",
        "StudyStatusEnum": "recruit.models.studies.Study.Status",
        "ParticipantRoleEnum": "recruit.models.participants.Role",
        "MembershipRoleEnum": "recruit.models.studies.Membership.Role",
        "ImportStatusEnum": "recruit.models.imports.ParticipantImport.Status",
        "CampaignStatusEnum": "recruit.models.campaigns.Campaign.Status",
        "MessageStatusEnum": "recruit.models.messages.Message.Status",
        "ScreeningQuestionKindEnum": "recruit.models.screening.ScreeningQuestion.Kind",
        "LanguageEnum": "recruit.models.participants.Language",
    },
}

# How long personal links stay valid, in days, per purpose (others: 14).
RECRUIT_LINK_DAYS = {"consent": env_int("CONSENT_LINK_DAYS", 30), "unsubscribe": 3650, "withdrawal": 3650}
# A participant's session after opening a personal link lasts this long.
RECRUIT_LINK_SESSION_SECONDS = env_int("LINK_SESSION_SECONDS", 2 * 60 * 60)

# Content-Security-Policy: our own scripts and styles only, never inline ones.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes): a username is locked from one address after this many failed
# logins in a row, for AXES_COOLOFF_MINUTES; a successful login resets the count. Failures are
# stored in the database (so each test starts clean: its transaction is rolled back), and
# `python manage.py axes_reset` unlocks everyone.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "recruit.views.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "recruit.actors.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # keep failures only, not a log of every login
AXES_VERBOSE = False

# Security headers; production turns on the transport protections.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# The CSRF cookie stays readable by our scripts (Django: HttpOnly on it adds no protection).
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    # __Host- cookies are only accepted over HTTPS, for this host, for every path: no subdomain
    # or plain-HTTP page can plant or overwrite them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # SQL logging would write participants' personal data into logs.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}


# Anonymised export / GDPR: `manage.py purge` erases participants of studies that ended more
# than this many days ago (keeping only pseudonymous proof of consent and withdrawal).
RECRUIT_RETENTION_DAYS = env_int("RECRUIT_RETENTION_DAYS", 365)
