"""Read settings from the environment, failing loudly on values that cannot be right.

Plain helpers with no Django import, so settings.py can use them before Django is set up.
"""
import os
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigurationError(Exception):
    pass


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ConfigurationError(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={value!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def email_settings(url: str) -> dict:
    """Turn EMAIL_URL into Django e-mail settings.

    smtp://user:password@host:587 (STARTTLS is on unless ?tls=0; smtps:// uses implicit TLS),
    console://, locmem://, file:///path/to/dir, dummy://.
    """
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ConfigurationError(
            f"EMAIL_URL scheme {parts.scheme!r} is not one of {', '.join(sorted(backends))}."
        )
    config = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
    if parts.scheme in {"smtp", "smtps"}:
        query = parse_qs(parts.query)
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 587),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=parts.scheme == "smtp" and query.get("tls", ["1"])[0] != "0",
        )
    return config
