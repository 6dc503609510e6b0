import pytest

from core.config import ConfigError, load_settings


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
