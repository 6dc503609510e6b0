"""Settings: config.toml, overridden key by key by ESTAFETA__SECTION__KEY environment variables."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import secrets
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_PREFIX = "ESTAFETA__"
LOCALES = ("ru", "uk", "en")
DEFAULT_TIMEZONE = "Europe/Kyiv"


class ConfigError(Exception):
    """A setting is missing or invalid; the message is one line naming the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppSettings(_Section):
    name: str = "Estafeta"
    data_dir: Path = Path("data")
    base_url: str = ""
    packs: list[str] = ["generic"]
    # Business modules switched on (core.modules); the platform's own features are always on.
    modules: list[str] = []


class DatabaseSettings(_Section):
    url: str = "sqlite://data/estafeta.db"

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in ("sqlite", "postgres", "postgresql", "asyncpg"):
            raise ValueError("must start with sqlite:// or postgres://")
        return value


class RedisSettings(_Section):
    url: str = ""

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// (or be empty for in-memory)")
        return value


class TelegramSettings(_Section):
    mode: Literal["sandbox", "polling", "webhook"] = "sandbox"
    token: str = ""
    api_base: str = ""
    bot_username: str = ""
    webhook_path: str = "/telegram/webhook"
    webhook_secret: str = ""
    # Bearer token of the sandbox persona API; empty: generated once into <app.data_dir>/sandbox.token.
    sandbox_token: str = ""
    # A conversation left half-way (a reason, a field, a comment being typed) is kept this many days.
    draft_days: float = Field(default=7, gt=0)

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("sandbox_token")
    @classmethod
    def _hard_to_guess(cls, value: str) -> str:
        if value and (len(value) < 16 or not re.fullmatch(r"[A-Za-z0-9._~+/=-]+", value)):
            raise ValueError("must be empty (generated) or at least 16 letters, digits or -._~+/=")
        return value


class WebSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (tests)
    session_secret: str = ""
    login_max_failures: int = Field(5, ge=1)
    login_lockout_minutes: int = Field(15, ge=1)


class I18nSettings(_Section):
    default_locale: Literal["ru", "uk", "en"] = "ru"
    default_region: str = "UA"
    # The business's clock (IANA name): moments are stored in UTC and shown, and a time typed without a zone is
    # read, in this zone, in every language.
    timezone: str = DEFAULT_TIMEZONE

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as Europe/Kyiv") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class OutboxSettings(_Section):
    global_per_second: float = Field(30, gt=0)
    per_chat_per_second: float = Field(1.0, gt=0)
    max_attempts: int = Field(8, ge=1)


class InviteSettings(_Section):
    ttl_hours: float = Field(72, gt=0)


class StorageSettings(_Section):
    # Empty: <app.data_dir>/files
    path: str = ""
    max_upload_mb: int = Field(50, ge=1)


class CrmSettings(_Section):
    currency: str = Field("UAH", min_length=3, max_length=3)


class Settings(_Section):
    app: AppSettings = AppSettings()
    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    telegram: TelegramSettings = TelegramSettings()
    web: WebSettings = WebSettings()
    i18n: I18nSettings = I18nSettings()
    outbox: OutboxSettings = OutboxSettings()
    invites: InviteSettings = InviteSettings()
    storage: StorageSettings = StorageSettings()
    crm: CrmSettings = CrmSettings()
    # [module.NAME] tables: each module's own settings, validated by its schema when it is activated.
    module: dict[str, dict[str, Any]] = {}

    @property
    def public_url(self) -> str:
        return (self.app.base_url or f"http://{self.web.host}:{self.web.port}").rstrip("/")

    @property
    def storage_dir(self) -> Path:
        return Path(self.storage.path) if self.storage.path else self.app.data_dir / "files"

    @property
    def sandbox(self) -> bool:
        return self.telegram.mode == "sandbox"

    @property
    def listens_on_loopback(self) -> bool:
        """Whether only this machine can reach the web port ("" and 0.0.0.0 mean every interface)."""
        if self.web.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.web.host).is_loopback
        except ValueError:
            return False

    def check_runtime(self) -> None:
        """Rules that depend on several keys; raised at startup, not at load, so the CLI can still migrate."""
        if self.telegram.mode != "sandbox" and not self.telegram.token:
            raise ConfigError(f"telegram.token: required when telegram.mode is '{self.telegram.mode}'")
        if self.telegram.mode == "webhook" and not self.telegram.webhook_secret:
            raise ConfigError("telegram.webhook_secret: required when telegram.mode is 'webhook'")


def _parse_env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(data: dict[str, Any], environ: dict[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if not all(parts) or not (len(parts) == 2 or (len(parts) == 3 and parts[0] == "module")):
            raise ConfigError(f"{name}: expected {ENV_PREFIX}<SECTION>__<KEY> or {ENV_PREFIX}MODULE__<NAME>__<KEY>")
        table = data
        for part in parts[:-1]:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise ConfigError(f"{part}: must be a section")
        table[parts[-1]] = _parse_env_value(raw)


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    elif "input" in error and not isinstance(error["input"], dict):
        message = f"{message} (got {error['input']!r})"
    return f"{key}: {message}"


def load_settings(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    path = Path(path or environ.get("ESTAFETA_CONFIG", "config.toml"))
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    _apply_env(data, environ)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc.errors()[0])) from None


def _kept_secret(path: Path, make: Callable[[], str]) -> str:
    """A secret generated once and kept beside the data, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of processes starting together (web, bot, worker) one writes the secret and the others read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_kept_secret(path)
    value = make()
    with os.fdopen(fd, "w") as file:
        file.write(value)
    return value


def _read_kept_secret(path: Path) -> str:
    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.01)  # created by another process that has not written it yet
    raise ConfigError(f"{path}: empty; delete the file to generate a new secret")


def session_secret(settings: Settings) -> bytes:
    """32 bytes for cookie encryption: configured, or generated once and kept beside the data."""
    if settings.web.session_secret:
        return hashlib.sha256(settings.web.session_secret.encode()).digest()
    return bytes.fromhex(_kept_secret(settings.app.data_dir / "session.key", lambda: secrets.token_bytes(32).hex()))


def sandbox_token(settings: Settings) -> str:
    """The sandbox's access token (`Authorization: Bearer …`): configured, or generated once beside the data."""
    if settings.telegram.sandbox_token:
        return settings.telegram.sandbox_token
    return _kept_secret(settings.app.data_dir / "sandbox.token", lambda: secrets.token_urlsafe(32))
