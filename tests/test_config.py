import stat

import pytest

from core.config import ConfigError, load_settings, sandbox_token


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_work_without_a_file(tmp_path):
    settings = load_settings(tmp_path / "missing.toml", environ={})
    assert settings.database.url == "sqlite://data/estafeta.db"
    assert settings.telegram.mode == "sandbox"
    assert settings.redis.url == ""


def test_env_overrides_file(tmp_path):
    path = write(tmp_path, '[web]\nport = 8081\n[telegram]\nmode = "polling"\n')
    settings = load_settings(path, environ={"ESTAFETA__WEB__PORT": "9000", "ESTAFETA__APP__PACKS": '["a", "b"]'})
    assert settings.web.port == 9000
    assert settings.telegram.mode == "polling"
    assert settings.app.packs == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        ('[telegram]\nmode = "carrier-pigeon"\n', {}, "telegram.mode: Input should be"),
        ("", {"ESTAFETA__WEB__PORT": "eighty"}, "web.port: Input should be a valid integer"),
        ("", {"ESTAFETA__WEB__PORT": "70000"}, "web.port:"),
        ('[database]\nurl = "mysql://x"\n', {}, "database.url: must start with sqlite:// or postgres://"),
        ("[web]\nprot = 1\n", {}, "web.prot: unknown setting"),
        ("", {"ESTAFETA__NOPE": "1"}, "ESTAFETA__NOPE: expected ESTAFETA__<SECTION>__<KEY>"),
        ("[web\n", {}, "not valid TOML"),
        ('[telegram]\nsandbox_token = "short"\n', {}, "telegram.sandbox_token: must be empty (generated) or"),
        ("", {"ESTAFETA__I18N__TIMEZONE": "Mars/Olympus"}, "i18n.timezone: must be an IANA time zone name"),
    ],
)
def test_invalid_setting_is_one_line_naming_the_key(tmp_path, text, environ, expected):
    with pytest.raises(ConfigError) as error:
        load_settings(write(tmp_path, text), environ=environ)
    message = str(error.value)
    assert expected in message
    assert "\n" not in message


def test_runtime_rules_name_the_key(tmp_path):
    settings = load_settings(write(tmp_path, '[telegram]\nmode = "webhook"\ntoken = "1:x"\n'), environ={})
    with pytest.raises(ConfigError, match="telegram.webhook_secret: required"):
        settings.check_runtime()


def test_sandbox_token_is_generated_once_and_kept_private(tmp_path):
    settings = load_settings(tmp_path / "missing.toml", environ={"ESTAFETA__APP__DATA_DIR": str(tmp_path / "data")})
    token = sandbox_token(settings)
    assert len(token) >= 40
    assert sandbox_token(settings) == token  # the same on every start
    kept = tmp_path / "data" / "sandbox.token"
    assert kept.read_text() == token
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    other = load_settings(tmp_path / "missing.toml", environ={"ESTAFETA__APP__DATA_DIR": str(tmp_path / "other")})
    assert sandbox_token(other) != token


def test_configured_sandbox_token_wins(tmp_path):
    settings = load_settings(write(tmp_path, '[telegram]\nsandbox_token = "configured-token-0123456789"\n'),
                             environ={"ESTAFETA__APP__DATA_DIR": str(tmp_path / "data")})
    assert sandbox_token(settings) == "configured-token-0123456789"
    assert not (tmp_path / "data" / "sandbox.token").exists()


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                                 ("localhost", True), ("0.0.0.0", False), ("", False),
                                                 ("::", False), ("192.168.1.5", False), ("example.com", False)])
def test_loopback_hosts(tmp_path, host, loopback):
    settings = load_settings(tmp_path / "missing.toml", environ={"ESTAFETA__WEB__HOST": f'"{host}"'})
    assert settings.listens_on_loopback is loopback
