"""Customers in Telegram: a person shares their own contact and is matched to the base by phone (E.164).

Telegram vouches for a contact shared with the "share my phone" button (its user_id is the sender's), so the
account that shares a number is bound to the customer with that number — even if another account had it before.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from core import activity
from core.customers import create_customer, find_by_phone
from core.permissions import SYSTEM
from core.phones import normalize_phone
from models import Card, Customer, CustomerPhone

SOURCE = "telegram"


async def bind_customer(telegram_id: int, phone: str, name: str, locale: str | None,
                        region: str | None) -> tuple[Customer, bool]:
    """The customer with this phone, bound to the Telegram account; created (source "telegram") when no one has
    the phone. Returns (customer, created). Raises core.phones.InvalidPhone for a number that is not one."""
    e164 = normalize_phone(phone, region)
    async with in_transaction():
        customer = await find_by_phone(e164)
        created = False
        if customer is None:
            bound = await Customer.get_or_none(telegram_id=telegram_id, merged_into_id__isnull=True)
            if bound is not None:
                # Already known by this account under another number: the new number is theirs too.
                last = await CustomerPhone.filter(customer_id=bound.id).order_by("-position").first()
                await CustomerPhone.create(customer=bound, e164=e164, as_entered=phone.strip()[:64],
                                           position=0 if last is None else last.position + 1)
                customer = bound
            else:
                customer = await create_customer(SYSTEM, name=(name or "").strip() or e164, phones=[e164],
                                                 source=SOURCE, region=region)
                created = True
        before = {"telegram_id": customer.telegram_id, "locale": customer.locale}
        if customer.telegram_id != telegram_id:
            await Customer.filter(telegram_id=telegram_id).exclude(id=customer.id).update(telegram_id=None)
        customer.telegram_id = telegram_id
        customer.locale = customer.locale or locale
        await Customer.filter(id=customer.id).update(telegram_id=customer.telegram_id, locale=customer.locale)
        after = {"telegram_id": customer.telegram_id, "locale": customer.locale, "phone": e164}
        await activity.record("customer.telegram_bind", channel="bot", actor=None, object_type="customer",
                              object_id=customer.id, before=before, after=after)
    return customer, created


async def customer_by_telegram_id(telegram_id: int) -> Customer | None:
    return await Customer.get_or_none(telegram_id=telegram_id, merged_into_id__isnull=True)


async def open_cards_of_customer(customer_id: int, limit: int = 10) -> list[Card]:
    """The customer's own open orders (what they may be told about), newest first."""
    return list(await Card.filter(customer_id=customer_id, stage__kind="open").order_by("-id").limit(limit)
                .select_related("pipeline", "stage"))
