""""Find customer": by phone (any format), VIN, number plate or part of a name; only customers and cards the user
may see, each customer with their phones and open cards as buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, Message

from core import formatting
from core.config import Settings
from core.customers import phones_of, search_customers
from core.i18n import Translator
from core.permissions import Actor, can, visible
from core.pipelines import card_number
from core.vehicles import current_ownership, find_vehicle
from flows import drafts, render
from flows.callbacks import CardCb
from flows.cards import TYPED, cancel_keyboard, command_leaves_flow
from flows.keyboards import InlineButtons
from models import Card, Customer, Vehicle

LIMIT = 10
CARDS_PER_CUSTOMER = 3
MIN_QUERY = 3


class SearchFlow(StatesGroup):
    query = State()


async def open_find(target: Message, actor: Actor, t: Translator, settings: Settings,
                    state: FSMContext | None = None, **_) -> None:
    """The "Find customer" menu entry and /find (a query may follow the command: /find 067 123 45 67)."""
    if state is not None:
        await state.clear()
    if not can(actor, "customer.view"):
        await target.answer(t("forbidden"))
        return
    typed = (target.text or "") if target.from_user and not target.from_user.is_bot else ""
    words = typed.split(maxsplit=1) if typed.startswith("/") else []
    query = words[1] if len(words) > 1 else ""
    if query:
        await _search(target, actor, t, settings, state, query)
        return
    if state is not None:
        await state.set_state(SearchFlow.query)
    await target.answer(t("find-ask"), reply_markup=cancel_keyboard(t))


async def query_entered(message: Message, actor: Actor, t: Translator, settings: Settings,
                        state: FSMContext) -> None:
    await _search(message, actor, t, settings, state, message.text)


async def _vehicles(actor: Actor, query: str) -> list[Vehicle]:
    if not can(actor, "vehicle.view") or not any(char.isdigit() for char in query):
        return []  # VINs and number plates always have digits; a name never goes to the vehicle index
    return (await find_vehicle(query))[:LIMIT]


async def _search(message: Message, actor: Actor, t: Translator, settings: Settings, state: FSMContext | None,
                  query: str) -> None:
    query = " ".join(query.split())
    if len(query) < MIN_QUERY:
        if state is not None:
            await state.set_state(SearchFlow.query)
        await message.answer(t("find-too-short"), reply_markup=cancel_keyboard(t))
        return
    customers = await search_customers(actor, query, settings.i18n.default_region, limit=LIMIT)
    vehicles = await _vehicles(actor, query)
    owners: dict[int, int] = {}  # vehicle id → customer id
    for vehicle in vehicles:
        ownership = await current_ownership(vehicle.id)
        if ownership is not None:
            owners[vehicle.id] = ownership.customer_id
    known = {customer.id for customer in customers}
    extra = [owner for owner in owners.values() if owner not in known]
    if extra:
        shown = visible(actor, "customer.view", Customer.filter(id__in=extra, merged_into_id__isnull=True))
        customers += list(await shown.order_by("name", "id"))
    customers = customers[:LIMIT]
    if not customers and not vehicles:
        if state is not None:
            await state.set_state(SearchFlow.query)  # still asking: the next message is another try
        await message.answer(t("find-nothing"), reply_markup=cancel_keyboard(t))
        return
    if state is not None:
        await state.clear()
    text, keyboard = await _results(actor, t, customers, vehicles, owners)
    await message.answer(text, reply_markup=keyboard)


async def _results(actor: Actor, t: Translator, customers: list[Customer], vehicles: list[Vehicle],
                   owners: dict[int, int]) -> tuple[str, InlineKeyboardMarkup | None]:
    locale = t.locale
    ids = [customer.id for customer in customers]
    cards_by_customer: dict[int, list[Card]] = {}
    if ids and can(actor, "card.view"):
        query = visible(actor, "card.view", Card.filter(customer_id__in=ids, stage__kind="open"))
        for card in await query.order_by("-urgent", "-id").select_related("pipeline", "stage"):
            cards_by_customer.setdefault(card.customer_id, []).append(card)
    lines = [t("find-results", count=len(customers) + len(vehicles)), ""]
    builder = InlineButtons()
    buttons = 0
    for position, customer in enumerate(customers, start=1):
        phones = ", ".join(formatting.phone_text(phone.e164, locale) for phone in await phones_of(customer.id))
        lines.append(f"{position}. {customer.name}" + (f" — {phones}" if phones else ""))
        for vehicle in vehicles:
            if owners.get(vehicle.id) == customer.id:
                lines.append(f"   {_vehicle_line(vehicle)}")
        for card in cards_by_customer.get(customer.id, [])[:CARDS_PER_CUSTOMER]:
            label = f"📋 {card_number(card)} · {card.stage.title(locale)} · {customer.name}"
            builder.button(text=render.clip(label, 60), callback_data=CardCb(action="open", card=card.id))
            buttons += 1
    orphans = [vehicle for vehicle in vehicles if vehicle.id not in owners
               or owners[vehicle.id] not in {customer.id for customer in customers}]
    for vehicle in orphans:
        lines.append(_vehicle_line(vehicle))
    builder.adjust(1)
    return "\n".join(lines)[:render.TEXT_LIMIT], builder.as_markup() if buttons else None


def _vehicle_line(vehicle: Vehicle) -> str:
    name = " ".join(str(part) for part in (vehicle.make, vehicle.model, vehicle.year) if part)
    parts = [part for part in (name, vehicle.vin, vehicle.plate) if part]
    return "🚗 " + " · ".join(parts)


async def resume(target: Message, state: FSMContext, t: Translator, **_) -> None:
    await target.answer(t("find-ask"), reply_markup=cancel_keyboard(t))


drafts.resumable(SearchFlow, resume)


def build_router() -> Router:
    """A fresh router per dispatcher: aiogram attaches a router to one parent only."""
    router = Router(name="search")
    router.message.register(command_leaves_flow, StateFilter(SearchFlow), F.text.startswith("/"))
    router.message.register(query_entered, SearchFlow.query, TYPED)
    return router
