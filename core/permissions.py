"""Who may do what. The one place that answers it; the bot, the panel, imports and the API all ask here.

A permission is an action granted to a role with a scope: `all`, `own` — objects where the actor is owner or
assignee — or one a module adds (core.modules.Scope: "cards of my company"). A person holding several scopes for
one action reaches the union. The same scope rule filters every list (`scope_filter`) and answers every
single-object question (`may`), so a manager with `own` never sees another's card in any list, search, export or
forged callback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from core import modules
from models import Card, Customer, Role, RolePermission, Staff, Task

# Every active staff member has these on their own account.
STAFF_ACTIONS = frozenset({"web.login", "profile.edit", "help.view"})


def actions() -> Mapping[str, bool]:
    """The catalogue: the active modules' actions (core.modules; the platform's own are the `base` module's),
    each with whether it applies to an object and so may be granted with a scope narrower than `all`."""
    return modules.active().actions


def scopes() -> tuple[str, ...]:
    return (*modules.BUILT_IN_SCOPES, *modules.active().scopes)


class Denied(Exception):
    """The actor may not do this; `action` says what was refused."""

    def __init__(self, action: str):
        super().__init__(action)
        self.action = action


@dataclass(frozen=True)
class Actor:
    """Someone acting on the CRM, with the grants of all their roles merged (the widest scope wins)."""

    staff: Staff | None
    roles: tuple[Role, ...] = ()
    grants: dict[str, frozenset[str]] = field(default_factory=dict)  # action → scopes held
    channel: str = "system"

    @property
    def is_admin(self) -> bool:
        return self.staff is not None and self.staff.active and any(role.is_admin for role in self.roles)

    @property
    def staff_id(self) -> int | None:
        return self.staff.id if self.staff else None

    @property
    def role_keys(self) -> set[str]:
        return {role.key for role in self.roles}


SYSTEM = Actor(staff=None, channel="system")
# Machine entry points with no person behind them, trusted after their own authentication (an API key, the CLI):
# they act with the system's rights and their own channel in the audit log.
MACHINE_CHANNELS = frozenset({"system", "api", "import"})


def machine_actor(channel: str) -> Actor:
    if channel not in MACHINE_CHANNELS:
        raise ValueError(f"not a machine channel: {channel}")
    return Actor(staff=None, channel=channel)


def parse_grant(text: str) -> tuple[str, str]:
    """`card.view:own` → ("card.view", "own"); no suffix means scope `all`. Raises ValueError naming the problem."""
    action, _, scope = text.partition(":")
    scope = scope or "all"
    catalogue = actions()
    if action not in catalogue:
        raise ValueError(f"unknown action '{action}'")
    known = scopes()
    if scope not in known:
        raise ValueError(f"unknown scope '{scope}' ({', '.join(known)})")
    if scope != "all" and not catalogue[action]:
        raise ValueError(f"action '{action}' has no owner, so it cannot be granted with scope '{scope}'")
    return action, scope


def merge_grants(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    held: dict[str, set[str]] = {}
    for action, scope in pairs:
        held.setdefault(action, set()).add(scope)
    return {action: frozenset({"all"}) if "all" in found else frozenset(found) for action, found in held.items()}


async def load_actor(staff: Staff | None, channel: str) -> Actor:
    if staff is None or not staff.active:
        return Actor(staff=staff, channel=channel)
    roles = tuple(await staff.roles.all().order_by("id"))
    rows = await RolePermission.filter(role_id__in=[role.id for role in roles]).values_list("action", "scope")
    return Actor(staff=staff, roles=roles, grants=merge_grants(rows), channel=channel)


async def load_actors(people: list[Staff], channel: str) -> list[Actor]:
    """`load_actor` for many active people at once, in two queries whatever their number (a list of whom to
    hand a card to)."""
    await Staff.fetch_for_list(people, "roles")
    role_ids = {role.id for person in people for role in person.roles}
    rows = await RolePermission.filter(role_id__in=list(role_ids)).values_list("role_id", "action", "scope")
    actors = []
    for person in people:
        roles = tuple(sorted(person.roles, key=lambda role: role.id))
        held = {role.id for role in roles}
        grants = merge_grants((action, scope) for role_id, action, scope in rows if role_id in held)
        actors.append(Actor(staff=person, roles=roles, grants=grants, channel=channel))
    return actors


def can(actor: Actor, action: str) -> bool:
    """May the actor do this at all (to some object, at least their own)? For menus and list entry points."""
    if action not in actions():
        raise KeyError(f"unknown action {action}")
    if actor.staff is None:
        return actor.channel in MACHINE_CHANNELS
    if not actor.staff.active:
        return False
    if actor.is_admin or action in STAFF_ACTIONS:
        return True
    return action in actor.grants


def _own_filter(actor: Actor, model: type[Model]) -> Q:
    me = actor.staff_id
    if model is Card:
        return Q(owner_id=me) | Q(assignee_id=me)
    if model is Customer:
        mine = Card.filter(Q(owner_id=me) | Q(assignee_id=me), customer_id__isnull=False).values("customer_id")
        return Q(owner_id=me) | Q(id__in=Subquery(mine))
    if model is Task:
        role_keys = list(actor.role_keys) or [""]
        return Q(assignee_id=me) | Q(assignee_id__isnull=True, assignee_role__in=role_keys) | Q(created_by_id=me)
    raise TypeError(f"no owner rule for {model.__name__}")


def _holds_card(actor: Actor, card: Card) -> bool:
    """`_own_filter`'s rule for a card, read off the card in hand instead of asked of the database (a press checks
    several actions on one card). The permission matrix test holds the two to the same answers."""
    return actor.staff_id is not None and actor.staff_id in (card.owner_id, card.assignee_id)


def scope_filter(actor: Actor, action: str, model: type[Model]) -> Q | None:
    """The rows of `model` the actor may `action`: None means all, a Q narrows; raises Denied for none at all."""
    if not can(actor, action):
        raise Denied(action)
    held = actor.grants.get(action, frozenset())
    if actor.staff is None or actor.is_admin or "all" in held or action in STAFF_ACTIONS:
        return None
    reach = [_scope_rule(actor, scope, model) for scope in sorted(held)]
    reach = [condition for condition in reach if condition is not None]
    if not reach:
        return Q(pk__in=[])
    condition = reach[0]
    for other in reach[1:]:
        condition |= other
    return condition


def _scope_rule(actor: Actor, scope: str, model: type[Model]) -> Q | None:
    if scope == "own":
        return _own_filter(actor, model)
    declared = modules.active().scopes.get(scope)
    # A grant of a scope whose module is switched off reaches nothing until it is on again.
    return modules.resolve(declared.rule)(actor, model) if declared is not None else None


def visible(actor: Actor, action: str, queryset):
    """Narrow a queryset to what the actor may `action`; every list, search and export goes through it."""
    condition = scope_filter(actor, action, queryset.model)
    return queryset if condition is None else queryset.filter(condition)


async def may(actor: Actor, action: str, obj: Model | None = None) -> bool:
    """May this actor do this to this object. Decided by the same filter lists use, so the two never disagree."""
    try:
        condition = scope_filter(actor, action, type(obj)) if obj is not None else None
    except Denied:
        return False
    if obj is None:
        return can(actor, action)
    if condition is None:
        return True
    if isinstance(obj, Card) and actor.grants.get(action) == frozenset({"own"}):
        return _holds_card(actor, obj)
    return await type(obj).filter(condition, pk=obj.pk).exists()


async def require(actor: Actor, action: str, obj: Model | None = None) -> None:
    if not await may(actor, action, obj):
        raise Denied(action)


def menu_items(actor: Actor) -> list[str]:
    """The keys of the main menu's buttons the actor is shown, in order."""
    return [entry.key for entry in modules.active().menu if entry.menu and can(actor, entry.action)]


def command_items(actor: Actor) -> list[str]:
    """The bot commands (besides /menu) the actor may use, in order."""
    return [entry.key for entry in modules.active().menu if entry.command and can(actor, entry.action)]
