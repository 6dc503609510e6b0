"""Modules (core.modules): a module declared in the tests (tests/sample_module) uses every extension point — an
action, a menu entry, a command, a router, a panel page and nav entry, a dashboard widget, a sweep hook, settings
and its own Fluent files. Switched on, each appears and works in the bot and the panel; switched off, all are gone;
a bad declaration or setting stops the start with one line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.client import SandboxClient
from bot.sandbox_personas import connect_sandbox
from core import modules
from core.config import load_settings
from core.i18n import translator
from core.modules import MenuEntry, Module, ModuleError, NavEntry
from core.packs import load_pack
from core.permissions import SYSTEM, load_actor, may, parse_grant, visible
from core.pipelines import create_card, list_cards
from estafeta.app import Estafeta
from jobs import actors
from models import Activity, Card, Role, RolePermission, Staff
from tests import sample_module
from tests.core.crm import generic_pack, person
from tests.sample_module.sweep import count_sweep
from tests.web.conftest import csrf_of

ROOT = Path(__file__).resolve().parents[1]
ANNA, BORIS = 1000001, 1000002  # the generic demo's admin and a manager (no grant of sample.ping)


@pytest.fixture(autouse=True)
def sample_known():
    modules.register(sample_module.MODULE)
    yield
    modules.unregister("sample")


async def _running(make_settings, **overrides):
    settings = make_settings(**overrides)
    app = Estafeta(settings)
    await app.start()
    await load_pack("generic", with_demo=True)
    await connect_sandbox(app.sandbox, settings)
    return app


async def _panel_as(app: Estafeta, login: str, password: str) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(base_url=app.base_url, cookie_jar=aiohttp.CookieJar(unsafe=True))  # an IP host
    token = csrf_of(await (await session.get("/login")).text())
    signed_in = await session.post("/login", data={"csrf_token": token, "login": login, "password": password},
                                   allow_redirects=False)
    assert signed_in.status == 303
    return session


async def test_a_module_switched_on_shows_in_the_bot_the_panel_and_the_sweep(make_settings, empty_database):
    app = await _running(make_settings, app__modules='["sample"]', module__sample__greeting="hi",
                         module__sample__repeat="2")
    sandbox = SandboxClient(app.base_url, token=app.sandbox_token)
    try:
        anna = await sandbox.existing_user(ANNA)
        menu = (await anna.send("/menu"))[-1]
        assert "🏓 Пинг" in menu.buttons
        # ordered by `order` among the platform's entries: after My tasks (10), before Find (30)
        assert menu.buttons.index("🏓 Пинг") > menu.buttons.index("✅ Мои задачи")
        assert menu.buttons.index("🏓 Пинг") < menu.buttons.index("🔎 Найти клиента")
        assert (await anna.press("🏓 Пинг"))[-1].text == "hi hi!"  # the module's settings reached its handler
        assert (await anna.send("/pings"))[-1].text == "Пингов нет."  # a command with no menu button
        assert (await anna.send("ping?"))[-1].text == "Да, пинг."  # the module's own router
        commands = [command["command"] for command in await anna.commands()]
        assert "ping" in commands and "pings" in commands

        boris = await sandbox.existing_user(BORIS)
        assert "🏓 Пинг" not in (await boris.send("/menu"))[-1].buttons  # shown by permission
        assert (await boris.send("/ping"))[-1].text == translator("uk")("forbidden")  # in his language
        assert "ping" not in [command["command"] for command in await boris.commands()]

        admin = await _panel_as(app, "admin", "estafeta-demo")
        try:
            dashboard = await admin.get("/dashboard")
            html = await dashboard.text()
            assert dashboard.status == 200 and "Виджет образца" in html and 'href="/sample"' in html
            assert html.index("Виджет образца") < html.index("Открытые карточки по этапам")  # by order
            page = await admin.get("/sample")
            assert page.status == 200 and "Страница образца для Анна Коваль" in await page.text()
        finally:
            await admin.close()

        assert count_sweep in actors.sweep_hooks()
        before = await Activity.filter(action="sample.swept").count()
        await actors.sweep()
        assert await Activity.filter(action="sample.swept").count() == before + 1
    finally:
        await sandbox.close()
        await app.stop()


async def test_a_module_switched_off_leaves_nothing_behind(make_settings, empty_database):
    app = await _running(make_settings)
    sandbox = SandboxClient(app.base_url, token=app.sandbox_token)
    try:
        anna = await sandbox.existing_user(ANNA)
        assert "🏓 Пинг" not in (await anna.send("/menu"))[-1].buttons
        assert "ping" not in [command["command"] for command in await anna.commands()]
        assert (await anna.send("ping?"))[-1].text != "Да, пинг."
        admin = await _panel_as(app, "admin", "estafeta-demo")
        try:
            html = await (await admin.get("/dashboard")).text()
            assert "Виджет образца" not in html and 'href="/sample"' not in html
            assert (await admin.get("/sample")).status == 404
        finally:
            await admin.close()
        assert count_sweep not in actors.sweep_hooks()
    finally:
        await sandbox.close()
        await app.stop()


def test_every_label_of_an_active_module_exists_in_every_locale(make_settings):
    active = modules.activate(make_settings(app__modules='["sample"]'))
    keys = {f"action-{action.replace('.', '-')}" for action in active.actions}
    keys |= {f"menu-{entry.key}" for entry in active.menu if entry.menu}
    keys |= {f"cmd-{entry.key}" for entry in active.menu if entry.command}
    keys |= {f"web-nav-{entry.key}" for entry in active.nav} | {f"web-widget-{widget.key}" for widget in active.widgets}
    keys |= {f"scope-{name}" for name in active.scopes}
    assert "action-sample-ping" in keys and "action-card-view" in keys
    for locale in ("ru", "uk", "en"):
        t = translator(locale, strict=True)
        for key in sorted(keys):
            assert t(key).strip(), (locale, key)


@pytest.mark.parametrize(("overrides", "line"), [
    ({"app__modules": '["nope"]'}, "app.modules: unknown module 'nope'"),
    ({"app__modules": '["sample"]', "module__sample__repeat": "9"},
     "module.sample.repeat: Input should be less than or equal to 5"),
    ({"app__modules": '["sample"]', "module__sample__colour": '"red"'}, "module.sample.colour: unknown setting"),
    ({"module__sample__repeat": "2"}, "module.sample: settings for a module that is not in app.modules"),
    ({"app__modules": '["clash"]'}, "app.modules: action 'card.view' is declared by both 'base' and 'clash'"),
    ({"app__modules": '["sample", "twin"]'},
     "app.modules: menu entry 'ping' is declared by both 'sample' and 'twin'"),
])
def test_a_bad_module_setup_stops_with_one_line_naming_it(make_settings, overrides, line):
    modules.register(Module(name="clash", actions={"card.view": True}))
    modules.register(Module(name="twin", menu=(MenuEntry("ping", "card.view", "flows.cards:open_cards"),)))
    try:
        with pytest.raises(ModuleError) as stopped:
            modules.activate(make_settings(**overrides))
        assert str(stopped.value) == line
    finally:
        modules.unregister("clash")
        modules.unregister("twin")


def _same_name_routes(router: web.UrlDispatcher) -> list[web.AbstractRoute]:
    return [router.add_get("/elsewhere", _same_name_routes, name="cards")]


def _same_path_routes(router: web.UrlDispatcher) -> list[web.AbstractRoute]:
    return [router.add_get("/cards", _same_path_routes, name="thief_cards")]


@pytest.mark.parametrize(("ref", "line"), [
    ("tests.test_modules:_same_name_routes", "Duplicate 'cards'"),
    ("tests.test_modules:_same_path_routes", "GET /cards is already taken"),
])
def test_a_route_the_panel_has_already_stops_the_start_with_one_line(make_settings, ref, line):
    modules.register(Module(name="thief", panel_routes=(ref,), nav=(NavEntry("thief", "/cards", "card.view"),)))
    try:
        with pytest.raises(ModuleError) as stopped:
            Estafeta(make_settings(app__modules='["thief"]'))._build_web_app()
        assert str(stopped.value).startswith(f"module routes {ref}: ") and line in str(stopped.value)
        assert "\n" not in str(stopped.value)
    finally:
        modules.unregister("thief")


def test_the_command_line_refuses_an_unknown_module_in_one_line(tmp_path):
    environ = {**os.environ, "ESTAFETA__APP__MODULES": '["nope"]', "ESTAFETA__APP__DATA_DIR": str(tmp_path),
               "ESTAFETA__DATABASE__URL": f"sqlite://{tmp_path}/x.db"}
    done = subprocess.run([sys.executable, "-m", "estafeta", "migrate"], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == "estafeta: config error: app.modules: unknown module 'nope'"


def test_module_settings_come_from_config_and_environment(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[app]\nmodules = ["sample"]\n[module.sample]\ngreeting = "hello"\n', encoding="utf-8")
    settings = load_settings(config, environ={"ESTAFETA__MODULE__SAMPLE__REPEAT": "3"})
    modules.activate(settings)
    chosen = modules.settings_of("sample")
    assert (chosen.greeting, chosen.repeat) == ("hello", 3)


async def test_a_module_scope_reaches_lists_and_single_cards_alike_and_nothing_once_off(make_settings, db):
    modules.activate(make_settings(app__modules='["sample"]'))
    await generic_pack()
    boris = await person("Борис", "manager")
    reader = await Staff.create(name="Reader")
    for key, grant in (("s_reader", "card.view:sample_letter"), ("own_reader", "card.view:own")):
        role = await Role.create(key=key, titles={"en": key})
        action, scope = parse_grant(grant)
        await RolePermission.create(role=role, action=action, scope=scope)
        await reader.roles.add(role)
    starts_s = await create_card(SYSTEM, "sales", title="Sklad", owner=boris)
    other = await create_card(SYSTEM, "sales", title="Bakery", owner=boris)
    own = await create_card(SYSTEM, "sales", title="Mine", owner=reader)

    actor = await load_actor(reader, channel="web")
    listed = {card.id for card in await visible(actor, "card.view", Card.all())}
    assert listed == {starts_s.id, own.id}  # the union of the module's scope and own
    assert [await may(actor, "card.view", card) for card in (starts_s, other, own)] == [True, False, True]
    cards, total = await list_cards(actor)
    assert total == 2 and {card.id for card in cards} == listed

    modules.reset()  # the module switched off: its scope reaches nothing, and it cannot be granted
    actor = await load_actor(reader, channel="web")
    assert {card.id for card in await visible(actor, "card.view", Card.all())} == {own.id}
    assert not await may(actor, "card.view", starts_s)
    with pytest.raises(ValueError, match="unknown scope 'sample_letter'"):
        parse_grant("card.view:sample_letter")
