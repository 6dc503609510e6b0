"""Staff notifications through the outbox, each recipient in their own language.

Call these inside the transaction of the change they report (see `core.outbox.enqueue`): the notification is
stored exactly when the change is, never before and never without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core import directory, outbox
from core.i18n import pick_locale, translator
from models import Card, Customer, Staff

#: Prefix of the bot's card callback data (flows' CardCb: prefix "c1", fields action and card).
CARD_CALLBACK_PREFIX = "c1"


def open_card_data(card_id: int) -> str:
    """Callback data of an "open card" button; the one place this format is written outside the bot."""
    return f"{CARD_CALLBACK_PREFIX}:open:{card_id}"


def _format_args(args: dict[str, Any], locale: str) -> dict[str, Any]:
    # An argument given as a callable depends on the reader's language (a role's title, say).
    return {key: value(locale) if callable(value) else value for key, value in args.items()}


def _open_card_markup(card: Card, label: str) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": label, "callback_data": open_card_data(card.id)}]]}


async def notify_staff(
    recipients: Iterable[Staff],
    message_id: str,
    *,
    card: Card | None = None,
    default_locale: str = "ru",
    exclude: Staff | None = None,
    **args: Any,
) -> int:
    """One outbox row per active recipient with a Telegram account, in their language. Returns rows written.

    Each person is told once even if listed twice (assignee who is also the card's owner); `exclude` (usually
    the one who made the change) is not told about their own action. An argument may be a callable taking the
    recipient's locale, for values that read differently per language.
    """
    skip_id = exclude.id if exclude is not None else None
    seen: set[int] = set()
    written = 0
    for staff in recipients:
        if staff is None or staff.id in seen or staff.id == skip_id:
            continue
        seen.add(staff.id)
        if not staff.active or staff.telegram_id is None:
            continue
        locale = pick_locale(staff.locale, default=default_locale)
        t = translator(locale)
        payload = {"reply_markup": _open_card_markup(card, t("card-open"))} if card is not None else None
        await outbox.enqueue(staff.telegram_id, t(message_id, **_format_args(args, locale)), payload=payload)
        written += 1
    return written


async def staff_with_role(role_key: str) -> list[Staff]:
    """Active staff holding the role, in a stable order."""
    return await directory.staff_with_role(role_key)


async def notify_roles(role_keys: Iterable[str], message_id: str, **kwargs: Any) -> int:
    """`notify_staff` over everyone holding any of the roles (each person once)."""
    recipients: dict[int, Staff] = {}
    for role_key in role_keys:
        for staff in await staff_with_role(role_key):
            recipients.setdefault(staff.id, staff)
    return await notify_staff(recipients.values(), message_id, **kwargs)


async def notify_customer(customer: Customer | None, message_id: str, *, default_locale: str = "ru",
                          **args: Any) -> int:
    """Tell a customer who started the bot (has a telegram_id) about their order, in their language."""
    if customer is None or customer.telegram_id is None or customer.merged_into_id is not None:
        return 0
    locale = pick_locale(customer.locale, default=default_locale)
    await outbox.enqueue(customer.telegram_id, translator(locale)(message_id, **_format_args(args, locale)))
    return 1
