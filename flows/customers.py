"""Customers start the bot and share their contact: matched to the base by phone, then told their open orders.

Staff keep the staff /start (flows/start.py); a stranger is offered both ways in: share the contact as a customer,
or ask the admin for an invite as staff.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove

from core.config import Settings
from core.customer_identity import bind_customer, customer_by_telegram_id, open_cards_of_customer
from core.i18n import Translator
from core.identity import INVITE_PREFIX
from core.phones import InvalidPhone
from core.pipelines import card_number
from models import Customer, Staff


def stranger_start(message: Message, staff: Staff | None) -> bool:
    """/start from someone who is not staff and brings no invite (an invite goes to flows/start.py)."""
    if staff is not None:
        return False
    words = (message.text or "").split(maxsplit=1)
    return len(words) < 2 or not words[1].startswith(INVITE_PREFIX)


def not_staff(message: Message, staff: Staff | None) -> bool:
    return staff is None


def contact_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text=t("customer-share-button"), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


async def _orders_text(customer: Customer, t: Translator) -> str:
    cards = await open_cards_of_customer(customer.id)
    if not cards:
        return t("customer-no-orders")
    lines = [t("customer-orders")]
    lines += [f"• {card_number(card)} — {card.stage.title(t.locale)}" for card in cards]
    return "\n".join(lines)


async def greet(message: Message, t: Translator) -> None:
    customer = await customer_by_telegram_id(message.from_user.id)
    if customer is not None:
        await message.answer(f"{t('customer-again', name=customer.name)}\n\n{await _orders_text(customer, t)}")
        return
    await message.answer(t("customer-welcome"), reply_markup=contact_keyboard(t))


async def contact_shared(message: Message, t: Translator, settings: Settings) -> None:
    contact = message.contact
    if contact.user_id != message.from_user.id:
        # Someone else's contact (forwarded or picked from the address book) proves nothing about the sender.
        await message.answer(t("customer-own-contact"), reply_markup=contact_keyboard(t))
        return
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part) or message.from_user.full_name
    try:
        customer, created = await bind_customer(message.from_user.id, contact.phone_number, name, t.locale,
                                                settings.i18n.default_region)
    except InvalidPhone:
        await message.answer(t("customer-phone-invalid"), reply_markup=ReplyKeyboardRemove())
        return
    thanks = t("customer-thanks-new" if created else "customer-thanks", name=customer.name)
    await message.answer(f"{thanks}\n\n{await _orders_text(customer, t)}", reply_markup=ReplyKeyboardRemove())


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="customer_start")
    router.message.register(greet, CommandStart(), stranger_start)
    router.message.register(contact_shared, F.contact, not_staff)
    return router
