"""Modules: what a business vertical adds, declared in one place and switched on in `app.modules`.

A module is a `Module` value: the packs it ships, the permission actions and scopes it adds, its bot routers, menu
entries and commands, panel routes, nav entries and dashboard widgets, sweep hooks, move guards, a settings schema
(`[module.NAME]` in config.toml) and its Fluent files. Shared code reads the active modules from here and never
names a vertical.

Core must not import the layers above it, so what lives in `flows/`, `webadmin/` or `jobs/` is named by reference,
"package.module:attribute", and resolved (`resolve`) by the layer that uses it. The platform's own menu, actions
and pages are the `base` module, always on, declared below like any other.

A module `NAME` is found by importing `core.NAME` (whose `MODULE` is registered) unless something registered it
already (`register`: tests declare theirs that way). `activate` checks the whole set and stops the start with one
line naming the problem: an unknown module, an action, menu entry, command or nav entry declared twice, a bad
setting. Route clashes are found by the panel when it mounts them (`ModuleError` too).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from core.config import ConfigError, Settings

Ref = str  # "package.module:attribute"


class ModuleError(ConfigError):
    """A module is unknown or its declarations clash or its settings are invalid; one line naming it."""


@dataclass(frozen=True)
class MenuEntry:
    """An entry of the bot's main menu, shown to whoever `can` do `action`, also a command (`/KEY`) unless
    `command` is False; a `menu=False` entry is a command only. Labels: `menu-KEY` and `cmd-KEY` in Fluent.
    `handler`: flows, `async (target: Message, **data)`."""

    key: str
    action: str
    handler: Ref
    order: int = 100
    menu: bool = True
    command: bool = True


@dataclass(frozen=True)
class NavEntry:
    """A link in the panel's navigation, shown to whoever `can` do `action`; label `web-nav-KEY`."""

    key: str
    path: str
    action: str
    order: int = 100


@dataclass(frozen=True)
class Widget:
    """A dashboard block for whoever `can` do `action`. `handler`: webadmin, `async (request, actor) -> str`
    (HTML, already escaped by the module's template)."""

    key: str
    action: str
    handler: Ref
    order: int = 100


@dataclass(frozen=True)
class Scope:
    """A grant's reach besides `own` and `all`, e.g. "card.view:company". `rule`: core, `(actor, model) -> Q | None`,
    the objects of `model` it reaches (None: it reaches none of that model). Lists, searches, exports, counts and
    single-object checks all apply it through core.permissions. Label `scope-NAME`."""

    name: str
    rule: Ref


@dataclass(frozen=True)
class Module:
    name: str
    # action → whether it applies to an object (so may be granted with scope `own`); label `action-NAME` (dots as
    # dashes) in web.ftl or the module's Fluent file
    actions: Mapping[str, bool] = field(default_factory=dict)
    packs: tuple[str, ...] = ()
    routers: tuple[Ref, ...] = ()  # flows: `() -> aiogram.Router`, a fresh one per call
    menu: tuple[MenuEntry, ...] = ()
    panel_routes: tuple[Ref, ...] = ()  # webadmin: `(router: UrlDispatcher) -> list[AbstractRoute]`
    nav: tuple[NavEntry, ...] = ()
    widgets: tuple[Widget, ...] = ()
    sweeps: tuple[Ref, ...] = ()  # `async () -> Any`, idempotent: run by every sweep
    scopes: tuple[Scope, ...] = ()
    guards: Mapping[str, Ref] = field(default_factory=dict)  # name → core `core.guards.GuardCheck`
    settings: type[BaseModel] | None = None
    # Fluent files: an in-tree module keeps them in locales/<locale>/NAME.ftl (loaded with the rest); one kept
    # elsewhere (a test's, a third party's) names its directory of <locale>/*.ftl here.
    locales: str | None = None


BASE = Module(
    name="base",
    actions={
        "card.view": True, "card.create": False, "card.edit": True, "card.move": True, "card.comment": True,
        "card.attach": True, "card.assign": True,
        "customer.view": True, "customer.create": False, "customer.edit": True, "customer.merge": False,
        "ledger.post": True, "vehicle.view": False, "vehicle.edit": False,
        "task.view": True, "task.create": False, "task.close": True,
        "line.edit": True, "line.decide": True,
        "reference.edit": False, "report.view": False, "staff.manage": False, "import.run": False,
        "api_key.manage": False,
        # Every active staff member has these on their own account (core.permissions.STAFF_ACTIONS).
        "web.login": False, "profile.edit": False, "help.view": False,
    },
    menu=(
        MenuEntry("tasks", "task.view", "flows.tasks:open_tasks", order=10),
        MenuEntry("cards", "card.view", "flows.cards:open_cards", order=20),
        MenuEntry("find", "customer.view", "flows.search:open_find", order=30),
        MenuEntry("invite", "staff.manage", "flows.staff_menu:open_invite", order=900),
        MenuEntry("web", "web.login", "flows.staff_menu:open_web", order=910),
        MenuEntry("language", "profile.edit", "flows.staff_menu:open_language", order=920),
        MenuEntry("help", "help.view", "flows.staff_menu:open_help", order=930),
    ),
    nav=(
        NavEntry("dashboard", "/dashboard", "report.view", order=5),
        NavEntry("cards", "/cards", "card.view", order=10),
        NavEntry("customers", "/customers", "customer.view", order=20),
        NavEntry("apikeys", "/apikeys", "api_key.manage", order=900),
        NavEntry("staff", "/staff", "staff.manage", order=910),
    ),
    widgets=(Widget("cards_by_stage", "card.view", "webadmin.dashboard:cards_by_stage", order=10),),
)

_registered: dict[str, Module] = {BASE.name: BASE}
BUILT_IN_SCOPES = ("own", "all")  # core.permissions applies these itself


@dataclass(frozen=True)
class Active:
    """The modules switched on, with their declarations merged (in `app.modules` order, base first)."""

    modules: tuple[Module, ...]
    actions: Mapping[str, bool]
    menu: tuple[MenuEntry, ...]
    nav: tuple[NavEntry, ...]
    widgets: tuple[Widget, ...]
    scopes: Mapping[str, Scope]
    guards: Mapping[str, Ref]
    settings: Mapping[str, BaseModel]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(module.name for module in self.modules)

    def refs(self, kind: str) -> list[Ref]:
        """Every active module's references of one kind ("routers", "panel_routes", "sweeps")."""
        return [ref for module in self.modules for ref in getattr(module, kind)]

    @property
    def locale_dirs(self) -> tuple[str, ...]:
        return tuple(module.locales for module in self.modules if module.locales)

    @property
    def packs(self) -> tuple[str, ...]:
        return tuple(pack for module in self.modules for pack in module.packs)


def register(module: Module) -> Module:
    """Make a module known by name (a vertical's `core/NAME/__init__.py` does it on import, tests directly)."""
    known = _registered.get(module.name)
    if known is not None and known is not module:
        raise ModuleError(f"app.modules: two modules are named '{module.name}'")
    _registered[module.name] = module
    return module


def unregister(name: str) -> None:
    if name != BASE.name:
        _registered.pop(name, None)


def _find(name: str) -> Module:
    if name in _registered:
        return _registered[name]
    if not name.isidentifier():
        raise ModuleError(f"app.modules: unknown module '{name}'")
    try:
        package = importlib.import_module(f"core.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"core.{name}":
            raise ModuleError(f"app.modules: unknown module '{name}'") from None
        raise
    module = getattr(package, "MODULE", None)
    if not isinstance(module, Module) or module.name != name:
        raise ModuleError(f"app.modules: core.{name} declares no module named '{name}' (MODULE)")
    return register(module)


def _merge(modules: list[Module], settings: Mapping[str, Mapping[str, Any]]) -> Active:
    actions: dict[str, bool] = {}
    owners: dict[tuple[str, str], str] = {}

    def claim(kind: str, key: str, module: Module) -> None:
        first = owners.setdefault((kind, key), module.name)
        if first != module.name:
            raise ModuleError(f"app.modules: {kind} '{key}' is declared by both '{first}' and '{module.name}'")

    validated: dict[str, BaseModel] = {}
    for built_in in BUILT_IN_SCOPES:
        claim("scope", built_in, BASE)
    for module in modules:
        for scope in module.scopes:
            claim("scope", scope.name, module)
        for name in module.guards:
            claim("guard", name, module)
        for action, has_owner in module.actions.items():
            claim("action", action, module)
            actions[action] = has_owner
        for entry in module.menu:
            claim("menu entry", entry.key, module)
        for entry in module.nav:
            claim("nav entry", entry.key, module)
        for widget in module.widgets:
            claim("widget", widget.key, module)
        validated[module.name] = _settings_of(module, settings.get(module.name, {}))
    for name in settings:
        if name not in {module.name for module in modules}:
            raise ModuleError(f"module.{name}: settings for a module that is not in app.modules")
    for module in modules:
        for kind, entries in (("menu entry", module.menu), ("nav entry", module.nav), ("widget", module.widgets)):
            for entry in entries:
                if entry.action not in actions:
                    raise ModuleError(f"module {module.name}: {kind} '{entry.key}' needs unknown action "
                                      f"'{entry.action}'")
    return Active(
        modules=tuple(modules),
        actions=actions,
        menu=tuple(sorted((entry for module in modules for entry in module.menu), key=lambda entry: entry.order)),
        nav=tuple(sorted((entry for module in modules for entry in module.nav), key=lambda entry: entry.order)),
        widgets=tuple(sorted((widget for module in modules for widget in module.widgets),
                             key=lambda widget: widget.order)),
        scopes={scope.name: scope for module in modules for scope in module.scopes},
        guards={name: ref for module in modules for name, ref in module.guards.items()},
        settings=validated,
    )


def _settings_of(module: Module, values: Mapping[str, Any]) -> BaseModel:
    schema = module.settings or _NoSettings
    try:
        return schema.model_validate(dict(values))
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        message = "unknown setting" if first["type"] == "extra_forbidden" else first["msg"]
        raise ModuleError(f"module.{module.name}.{key}: {message}") from None


class _NoSettings(BaseModel):
    model_config = {"extra": "forbid"}


_active: Active = _merge([BASE], {})


def activate(settings: Settings) -> Active:
    """Switch on the modules `settings` names (base always); raises ModuleError naming the first problem."""
    global _active
    names = [name for name in dict.fromkeys(settings.app.modules) if name != BASE.name]
    _active = _merge([BASE, *(_find(name) for name in names)], settings.module)
    return _active


def reset() -> None:
    """Back to the base module alone (the tests' clean slate)."""
    global _active
    _active = _merge([BASE], {})


def active() -> Active:
    return _active


def enabled_packs(settings: Settings) -> list[str]:
    """The packs `estafeta demo` and the sandbox load: `app.packs` and those the active modules ship."""
    return list(dict.fromkeys([*settings.app.packs, *_active.packs]))


def settings_of(name: str) -> BaseModel:
    """A module's validated settings (its schema's defaults when config.toml has no `[module.NAME]`)."""
    try:
        return _active.settings[name]
    except KeyError:
        raise ModuleError(f"module '{name}' is not active") from None


def resolve(ref: Ref) -> Any:
    """The object a reference names; the layer that owns it calls this (core never does for flows/webadmin)."""
    path, _, attribute = ref.partition(":")
    if not path or not attribute:
        raise ModuleError(f"bad reference '{ref}': expected package.module:attribute")
    target: Any = importlib.import_module(path)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target
