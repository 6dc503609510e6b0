"""Move guards: rules a transition must pass besides the stage's required fields, checked by `move_card` so the
bot, the panel, the API and imports obey the same rule.

A pack declares them on a transition (`guards = [{ field = "contract" }, { balance = "zero" }]`; on the card's
lines: `{ lines = "decided" }`, `{ approved_at_least = 1 }`, `{ lines_in_state = "received" }`); a module
registers named ones in Python for what a pack can't say (`Module.guards`, used as `{ check = "NAME" }`). A guard
that does not hold gives a `Refusal`: the Fluent message naming the rule, in whoever reads it's language
(`describe`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core import modules
from core.fields import is_empty
from core.i18n import translator
from models import Card, CardLine, Transition

# The keys a pack's guard may have, one per guard.
KINDS = ("field", "balance", "lines", "approved_at_least", "lines_in_state", "check")


@dataclass(frozen=True)
class Refusal:
    rule: str  # Fluent message id, e.g. "guard-field"
    # Values shown in the message; a {locale: text} dict is read in the reader's language.
    args: Mapping[str, Any] = field(default_factory=dict)


# A named guard: `async (card, transition, fields) -> Refusal | None`; `fields` are the card's values as they
# will be after the move.
GuardCheck = Callable[[Card, Transition, dict[str, Any]], Awaitable[Refusal | None]]


def problems(guard: Mapping[str, Any], field_keys: set[str]) -> list[str]:
    """What is wrong with a pack's guard declaration (empty when nothing)."""
    kinds = [kind for kind in guard if kind in KINDS]
    unknown = [kind for kind in guard if kind not in KINDS]
    if unknown:
        return [f"unknown guard '{unknown[0]}' ({', '.join(KINDS)})"]
    if len(kinds) != 1:
        return [f"a guard has exactly one of {', '.join(KINDS)}"]
    kind, value = kinds[0], guard[kinds[0]]
    if kind == "field" and value not in field_keys:
        return [f"no field '{value}' in the pipeline's fields"]
    if kind == "balance" and value != "zero":
        return ["balance guard: only \"zero\" is known"]
    if kind == "lines" and value != "decided":
        return ["lines guard: only \"decided\" is known"]
    if kind == "approved_at_least" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        return ["approved_at_least: a whole number from 1"]
    if kind == "lines_in_state" and (not isinstance(value, str) or not value):
        return ["lines_in_state: a state's key"]
    if kind == "check" and value not in modules.active().guards:
        return [f"unknown check '{value}' (no active module registers it)"]
    return []


async def first_refusal(card: Card, transition: Transition, fields: dict[str, Any]) -> Refusal | None:
    """The first of the transition's guards that does not hold, or None when all do."""
    for guard in transition.guards or ():
        refusal = await _check(guard, card, transition, fields)
        if refusal is not None:
            return refusal
    return None


async def _check(guard: Mapping[str, Any], card: Card, transition: Transition,
                 fields: dict[str, Any]) -> Refusal | None:
    if "field" in guard:
        key = guard["field"]
        if is_empty(fields.get(key)):
            spec = next((spec for spec in card.pipeline.field_schema if spec.get("key") == key), {})
            return Refusal("guard-field", {"field": spec.get("titles") or {"en": key}})
        return None
    if "balance" in guard:
        from core.customers import balance  # customers imports pipelines, which imports this module

        if card.customer_id is not None and await balance(card.customer_id) != 0:
            return Refusal("guard-balance-zero")
        return None
    if {"lines", "approved_at_least", "lines_in_state"} & guard.keys():
        return await _check_lines(guard, card)
    check = modules.active().guards.get(guard.get("check", ""))
    if check is None:  # its module was switched off: the rule cannot be checked, so the move waits
        return Refusal("guard-unavailable", {"check": guard.get("check", "")})
    return await modules.resolve(check)(card, transition, fields)


async def _check_lines(guard: Mapping[str, Any], card: Card) -> Refusal | None:
    live = await CardLine.filter(card_id=card.id, removed_at__isnull=True)
    if "lines" in guard:
        waiting = sum(1 for line in live if line.decision == "pending")
        return Refusal("guard-lines-decided", {"count": waiting}) if waiting else None
    if "approved_at_least" in guard:
        approved = sum(1 for line in live if line.decision == "approved")
        needed = guard["approved_at_least"]
        return Refusal("guard-lines-approved", {"count": needed}) if approved < needed else None
    state = guard["lines_in_state"]
    behind = sum(1 for line in live if line.decision != "declined" and line.state != state)
    return Refusal("guard-lines-state", {"count": behind, "state": state}) if behind else None


def describe(refusal: Refusal, locale: str) -> str:
    """The refusal as a person reads it, in `locale`."""
    args = {name: _in(value, locale) for name, value in refusal.args.items()}
    return translator(locale)(refusal.rule, **args)


def _in(value: Any, locale: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(locale) or value.get("en") or next(iter(value.values()), "")
    return value
