"""Settings come from XQR_* variables; production refuses development settings."""

import dataclasses

import pytest

from xqr.app import ProductionSettingsRefused, create_app
from xqr.settings import load_settings


@pytest.fixture
def prod_env(monkeypatch, tmp_path):
    monkeypatch.setenv("XQR_ENV", "prod")
    monkeypatch.setenv("XQR_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("XQR_SECRET_KEY", "a-real-secret-from-the-operator")
    monkeypatch.setenv("XQR_SMS_BACKEND", "tencent")
    monkeypatch.setenv("XQR_FACE_BACKEND", "tencent")
    monkeypatch.setenv("XQR_EID_MERCHANT_ID", "merchant-from-the-console")
    monkeypatch.setenv("XQR_BASE_URL", "https://xqr.example.cn")
    monkeypatch.setenv("XQR_SMTP_HOST", "smtp.example.cn")
    for name, value in {
        "XQR_TENCENT_SECRET_ID": "AKIDexample",
        "XQR_TENCENT_SECRET_KEY": "example-key",
        "XQR_SMS_SDK_APP_ID": "1400000000",
        "XQR_SMS_SIGN_NAME": "湘企融",
        "XQR_SMS_TEMPLATE_ID": "100000",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("XQR_DEV_PAGES", raising=False)


def test_it_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("XQR_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("XQR_SMTP_HOST", "smtp.example.cn")
    monkeypatch.setenv("XQR_SMTP_PORT", "465")
    monkeypatch.setenv("XQR_STORAGE", "minio")
    monkeypatch.setenv("XQR_MINIO_BUCKET", "docs")
    monkeypatch.setenv("XQR_HOTLINE", "0731-12345678")
    settings = load_settings()
    assert (settings.smtp.host, settings.smtp.port) == ("smtp.example.cn", 465)
    assert (settings.storage.backend, settings.storage.bucket) == ("minio", "docs")
    assert settings.hotline == "0731-12345678"


def test_it_reads_secrets_from_files(monkeypatch, tmp_path):
    secret_file = tmp_path / "smtp-password"
    secret_file.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("XQR_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("XQR_SMTP_PASSWORD_FILE", str(secret_file))
    assert load_settings().smtp.password == "s3cret"


def test_it_generates_a_secret_key_once_when_none_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("XQR_SECRET_KEY", raising=False)
    monkeypatch.setenv("XQR_VAR_DIR", str(tmp_path))
    first = load_settings()
    second = load_settings()
    assert first.secret_generated and len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_it_defaults_to_sqlite_and_a_local_folder_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("XQR_DATABASE_URL", raising=False)
    monkeypatch.delenv("XQR_STORAGE_DIR", raising=False)
    monkeypatch.setenv("XQR_VAR_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'xqr.sqlite3'}"
    assert settings.storage.backend == "local" and settings.storage.local_dir == tmp_path / "storage"
    assert settings.sms.backend == "console" and settings.dev_pages


def test_prod_with_proper_settings_starts(prod_env):
    settings = load_settings()
    assert settings.prod_problems() == []
    assert create_app(settings) is not None


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"XQR_SMS_BACKEND": "console"}, "XQR_SMS_BACKEND"),
        ({"XQR_SECRET_KEY": ""}, "XQR_SECRET_KEY"),
        ({"XQR_DEV_PAGES": "1"}, "XQR_DEV_PAGES"),
        ({"XQR_FACE_BACKEND": "simulator"}, "XQR_FACE_BACKEND"),
        ({"XQR_EID_MERCHANT_ID": ""}, "XQR_EID_MERCHANT_ID"),
        ({"XQR_SMTP_HOST": ""}, "XQR_SMTP_HOST"),
    ],
)
def test_prod_refuses_development_settings_and_says_why(prod_env, monkeypatch, change, complaint):
    for name, value in change.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    with pytest.raises(ProductionSettingsRefused) as refused:
        create_app(settings)
    assert complaint in str(refused.value)


def test_prod_refuses_the_console_sms_even_when_all_else_is_right(prod_env):
    settings = dataclasses.replace(load_settings(), sms=dataclasses.replace(load_settings().sms, backend="console"))
    assert any("console" in problem for problem in settings.prod_problems())
