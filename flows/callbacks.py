"""Callback data factories. Prefixes carry a version digit so old buttons can be told apart after a change.

Telegram allows 64 bytes of callback data. Only ids, short keys and a version travel in it, and none of it is
trusted: every handler hands the ids to core, which checks the actor's permission on every call.
"""

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A database id: forged data outside this range does not match the factory at all (it is not a card of anyone).
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


class MenuCb(CallbackData, prefix="m1"):
    item: str


class LanguageCb(CallbackData, prefix="l1"):
    code: str


class InviteRoleCb(CallbackData, prefix="i1"):
    role: str


class CardCb(CallbackData, prefix="c1"):
    """An action on a card: open, comment, attach, history; and the lead buttons take, later, reject.

    Exactly two fields, because this format is also written outside the bot: core.notify's "open card" button
    ("c1:open:<id>") and the intake API's lead message ("c1:take:<id>", "c1:later:<id>", "c1:reject:<id>").
    aiogram packs every field, defaults included, so an optional third field would break those buttons.
    """

    action: str
    card: DbId


class MoveCb(CallbackData, prefix="c2"):
    """Move a card by a transition; `v` is the card version the user saw, so a stale button is told apart."""

    card: DbId
    t: str
    v: Count


class PageCb(CallbackData, prefix="p1"):
    """A page of a list ("cards", "tasks")."""

    list: str
    page: Count


class TaskCb(CallbackData, prefix="t1"):
    """An action on a task: done."""

    action: str
    task: DbId


class FlowCb(CallbackData, prefix="f1"):
    """Buttons of a conversation in progress: cancel, done."""

    action: str


class DraftCb(CallbackData, prefix="d1"):
    """/menu in the middle of a conversation: go on with it, or drop it."""

    action: str  # continue / drop


class LineDecisionCb(CallbackData, prefix="q1"):
    """A customer's Approve / Decline on one line of his order, naming the version he saw. Also written outside the
    bot: core.lines.decision_data ("q1:<line>:<version>:a|d")."""

    line: DbId
    v: Count
    d: str  # a: approve, d: decline


class AssignCb(CallbackData, prefix="a1"):
    """Hand the card (as of version `v`) to staff member `to`."""

    card: DbId
    to: DbId
    v: Count
