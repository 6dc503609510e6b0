"""What the CLI tells at start: demo logins and the sandbox token only in sandbox mode, and a loud warning when the
sandbox listens on more than the loopback address."""

from __future__ import annotations

import asyncio
import logging

import pytest

from estafeta.cli import _print_demo_hint, _warn_if_sandbox_is_public, main
from tests.conftest import _migrated_sqlite

BASE = "http://127.0.0.1:8080"
DEMO_PASSWORD = "estafeta-demo"  # packs/generic/pack.toml


def test_sandbox_banner_shows_the_token_and_the_demo_logins(make_settings, capsys):
    _print_demo_hint(make_settings(), BASE, "the-sandbox-token-0123")
    printed = capsys.readouterr().out
    assert f"curl -H 'Authorization: Bearer the-sandbox-token-0123' {BASE}/sandbox/api/users" in printed
    assert f"admin / {DEMO_PASSWORD}" in printed


def test_a_real_deployment_banner_shows_no_password_and_no_sandbox(make_settings, capsys):
    _print_demo_hint(make_settings(telegram__mode="polling", telegram__token="1:x"), BASE, "")
    printed = capsys.readouterr().out
    assert DEMO_PASSWORD not in printed and "sandbox" not in printed.lower()
    assert f"{BASE}/" in printed


@pytest.mark.parametrize(("host", "mode", "warned"), [
    ("0.0.0.0", "sandbox", True), ("192.168.1.10", "sandbox", True), ('""', "sandbox", True),
    ("127.0.0.1", "sandbox", False), ("localhost", "sandbox", False), ("::1", "sandbox", False),
    ("0.0.0.0", "polling", False),
])
def test_a_sandbox_on_a_reachable_address_is_warned_about(make_settings, capsys, caplog, host, mode, warned):
    settings = make_settings(web__host=host, telegram__mode=mode, telegram__token="1:x")
    with caplog.at_level(logging.WARNING, logger="estafeta"):
        _warn_if_sandbox_is_public(settings)
    stderr = capsys.readouterr().err
    assert ("WARNING: sandbox mode is listening on" in stderr) is warned
    assert any("sandbox mode is listening" in record.message for record in caplog.records) is warned


@pytest.mark.parametrize(("mode", "password_shown"), [("sandbox", True), ("polling", False)])
def test_demo_prints_passwords_only_in_sandbox_mode(tmp_path, monkeypatch, capsys, mode, password_shown):
    url = f"sqlite://{tmp_path}/cli.db"
    asyncio.run(_migrated_sqlite(url))
    monkeypatch.setenv("ESTAFETA__DATABASE__URL", url)
    monkeypatch.setenv("ESTAFETA__APP__DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ESTAFETA__TELEGRAM__MODE", mode)
    main(["demo"])
    printed = capsys.readouterr().out
    assert "web login: admin" in printed
    assert (DEMO_PASSWORD in printed) is password_shown
    if not password_shown:
        assert "estafeta createadmin admin" in printed
