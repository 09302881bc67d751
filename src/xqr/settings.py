"""Settings read once from XQR_* environment variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    """A setting, preferring NAME_FILE (a path holding the secret) over NAME."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""  #: empty: mail stays in the outbox (dev)
    port: int = 587
    user: str = ""
    password: str = ""
    tls: str = "starttls"  #: none | starttls | tls
    sender: str = "湘企融 <noreply@xqr.local>"


@dataclass(frozen=True)
class StorageSettings:
    backend: str = "local"  #: local | minio
    local_dir: Path = Path("var/storage")
    endpoint: str = ""
    access_key: str = ""
    secret_key: str = ""
    bucket: str = "xqr"
    secure: bool = True
    region: str = ""


@dataclass(frozen=True)
class SmsSettings:
    backend: str = "console"  #: console | tencent
    secret_id: str = ""
    secret_key: str = ""
    sdk_app_id: str = ""
    sign_name: str = ""
    template_id: str = ""
    region: str = "ap-guangzhou"
    endpoint: str = ""  #: override of the API host, e.g. a local stand-in in tests


@dataclass(frozen=True)
class Settings:
    env: str = "dev"  #: dev | prod
    var_dir: Path = Path("var")
    database_url: str = "sqlite:///var/xqr.sqlite3"
    #: a PostgreSQL connection pool per process; off in tests that share an engine across event loops
    database_pool: bool = True
    secret_key: str = ""
    secret_generated: bool = False
    dev_pages: bool = True
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    hotline: str = "0731-84888888"
    upload_max_bytes: int = 10 * 1024 * 1024
    #: pause between outbox delivery passes when idle; 0 turns the in-app loop off (`xqr outbox deliver` then)
    outbox_interval_seconds: float = 2.0
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    #: a demand nobody took within this many working days is flagged to the admins
    demand_untaken_working_days: int = 3
    #: the enterprise is told this many days before its demand expires
    demand_expiry_notice_days: int = 3
    #: working days an institution has to accept (受理) an application before it shows as overdue
    application_response_days: int = 3
    storage: StorageSettings = field(default_factory=StorageSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    sms: SmsSettings = field(default_factory=SmsSettings)

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def prod_problems(self) -> list[str]:
        """What keeps these settings from being safe in production."""
        if not self.is_prod:
            return []
        problems = []
        if self.sms.backend == "console":
            problems.append("XQR_SMS_BACKEND=console 只把短信写进日志，生产环境请配置 tencent")
        if self.secret_generated:
            problems.append("XQR_SECRET_KEY 未设置：生产环境不能使用自动生成的密钥")
        if not self.smtp.host:
            problems.append("XQR_SMTP_HOST 未设置：生产环境的邮件不能只留在发件箱")
        if self.dev_pages:
            problems.append("XQR_DEV_PAGES 已开启：生产环境不能提供开发页面")
        if not self.base_url.startswith("https://"):
            problems.append("XQR_BASE_URL 必须是 https:// 地址")
        return problems


def _secret_key(var_dir: Path) -> tuple[str, bool]:
    configured = env_str("XQR_SECRET_KEY")
    if configured:
        return configured, False
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip(), True


def load_settings() -> Settings:
    env = os.environ.get("XQR_ENV", "dev")
    if env not in {"dev", "prod"}:
        raise ValueError(f"XQR_ENV must be dev or prod, not {env!r}")
    var_dir = Path(os.environ.get("XQR_VAR_DIR", "var")).resolve()
    secret_key, generated = _secret_key(var_dir)
    return Settings(
        env=env,
        var_dir=var_dir,
        database_url=env_str("XQR_DATABASE_URL", f"sqlite:///{var_dir / 'xqr.sqlite3'}"),
        secret_key=secret_key,
        secret_generated=generated,
        dev_pages=env_bool("XQR_DEV_PAGES", env == "dev"),
        base_url=os.environ.get("XQR_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        host=os.environ.get("XQR_HOST", "127.0.0.1"),
        port=env_int("XQR_PORT", 8000),
        hotline=os.environ.get("XQR_HOTLINE", "0731-84888888"),
        upload_max_bytes=env_int("XQR_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        outbox_interval_seconds=float(os.environ.get("XQR_OUTBOX_INTERVAL", "2")),
        demand_untaken_working_days=env_int("XQR_DEMAND_UNTAKEN_WORKING_DAYS", 3),
        demand_expiry_notice_days=env_int("XQR_DEMAND_EXPIRY_NOTICE_DAYS", 3),
        application_response_days=env_int("XQR_APPLICATION_RESPONSE_DAYS", 3),
        storage=StorageSettings(
            backend=os.environ.get("XQR_STORAGE", "local"),
            local_dir=Path(os.environ.get("XQR_STORAGE_DIR", str(var_dir / "storage"))).resolve(),
            endpoint=os.environ.get("XQR_MINIO_ENDPOINT", ""),
            access_key=env_str("XQR_MINIO_ACCESS_KEY"),
            secret_key=env_str("XQR_MINIO_SECRET_KEY"),
            bucket=os.environ.get("XQR_MINIO_BUCKET", "xqr"),
            secure=env_bool("XQR_MINIO_SECURE", True),
            region=os.environ.get("XQR_MINIO_REGION", ""),
        ),
        smtp=SmtpSettings(
            host=os.environ.get("XQR_SMTP_HOST", ""),
            port=env_int("XQR_SMTP_PORT", 587),
            user=env_str("XQR_SMTP_USER"),
            password=env_str("XQR_SMTP_PASSWORD"),
            tls=os.environ.get("XQR_SMTP_TLS", "starttls"),
            sender=os.environ.get("XQR_MAIL_FROM", "湘企融 <noreply@xqr.local>"),
        ),
        sms=SmsSettings(
            backend=os.environ.get("XQR_SMS_BACKEND", "console"),
            secret_id=env_str("XQR_TENCENT_SECRET_ID"),
            secret_key=env_str("XQR_TENCENT_SECRET_KEY"),
            sdk_app_id=os.environ.get("XQR_SMS_SDK_APP_ID", ""),
            sign_name=os.environ.get("XQR_SMS_SIGN_NAME", ""),
            template_id=os.environ.get("XQR_SMS_TEMPLATE_ID", ""),
            region=os.environ.get("XQR_SMS_REGION", "ap-guangzhou"),
            endpoint=os.environ.get("XQR_SMS_ENDPOINT", ""),
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
