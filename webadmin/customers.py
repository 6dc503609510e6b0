"""Customers in the panel: search, the customer page (phones, addresses, balance and ledger, cards, vehicles,
possible duplicates), ledger entries and merging. Rules live in core.customers and core.permissions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from core import customers as crm
from core import formatting
from core.permissions import Actor, Denied, can, may, visible
from core.pipelines import card_number
from core.vehicles import vehicles_of
from models import Card, Customer, CustomerAddress, CustomerPhone, Staff
from webadmin.cards import see_other
from webadmin.guards import permission_required
from webadmin.keys import SETTINGS
from webadmin.render import render, request_locale, set_nav
from webadmin.session import flash

SEARCH_LIMIT = 50
RECENT_LIMIT = 20
CARDS_LIMIT = 50
LEDGER_KINDS = ("payment", "charge", "bonus", "correction")
# core.customers refusal reason -> Fluent message id
CUSTOMER_ERRORS = {
    "not_found": "web-customer-error-not-found",
    "merged": "web-customer-error-merged",
    "invalid_amount": "web-ledger-error-amount",
    "zero_amount": "web-ledger-error-zero",
    "amount_precision": "web-ledger-error-precision",
    "amount_too_large": "web-ledger-error-too-large",
    "ledger_kind_required": "web-ledger-error-kind",
    "invalid_currency": "web-ledger-error-currency",
    "merge_into_self": "web-merge-error-self",
    "merge_into_merged": "web-merge-error-merged",
    "already_merged": "web-merge-error-merged",
    "forbidden": "web-customer-error-forbidden",
}


def _id(request: web.Request, name: str = "id") -> int:
    return int(request.match_info[name])


def _error(reason: str) -> tuple[str, dict[str, Any]]:
    return CUSTOMER_ERRORS.get(reason, "web-form-bad-input"), {}


async def _phones(customer_ids: list[int], locale: str) -> dict[int, list[str]]:
    phones: dict[int, list[str]] = {}
    if customer_ids:
        for phone in await CustomerPhone.filter(customer_id__in=customer_ids).order_by("position", "id"):
            phones.setdefault(phone.customer_id, []).append(formatting.phone_text(phone.e164, locale))
    return phones


async def visible_customer(actor: Actor, customer_id: int) -> Customer:
    """The customer if the actor may see them; otherwise 404, exactly like a missing one."""
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None or not await may(actor, "customer.view", customer):
        raise web.HTTPNotFound()
    return customer


# --- search -------------------------------------------------------------------------------------------------------


@permission_required("customer.view")
async def customers_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    set_nav(request, "customers")
    settings = request.config_dict[SETTINGS]
    query = " ".join(request.query.get("q", "").split())[:200]
    if query:
        found = await crm.search_customers(actor, query, settings.i18n.default_region, limit=SEARCH_LIMIT)
    else:
        found = list(await visible(actor, "customer.view", Customer.filter(merged_into_id__isnull=True))
                     .order_by("-id").limit(RECENT_LIMIT))
    phones = await _phones([customer.id for customer in found], await request_locale(request))
    return await render(request, "customers.html", {
        "query": query,
        "rows": [{"customer": customer, "phones": phones.get(customer.id, [])} for customer in found],
    })


# --- one customer -------------------------------------------------------------------------------------------------


@dataclass
class LedgerForm:
    amount: str = ""
    kind: str = "payment"
    note: str = ""


async def _customer_page(request: web.Request, actor: Actor, customer: Customer, *,
                         error: tuple[str, dict[str, Any]] | None = None, ledger_form: LedgerForm | None = None,
                         status: int = 200) -> web.StreamResponse:
    set_nav(request, "customers")
    settings = request.config_dict[SETTINGS]
    locale = await request_locale(request)
    currency = settings.crm.currency
    phones = await crm.phones_of(customer.id)
    entries = await crm.ledger_of(customer.id)
    staff_ids = {entry.actor_id for entry in entries if entry.actor_id} | (
        {customer.owner_id} if customer.owner_id else set())
    people = {person.id: person.name for person in await Staff.filter(id__in=list(staff_ids))} if staff_ids else {}
    cards = await visible(actor, "card.view", Card.filter(customer_id=customer.id)).order_by("-id").limit(
        CARDS_LIMIT).select_related("pipeline", "stage")
    balance = await crm.balance(customer.id, currency)
    may_merge = can(actor, "customer.merge")
    duplicates = await crm.duplicate_candidates(actor, customer.id)
    duplicate_phones = await _phones([candidate.customer.id for candidate in duplicates], locale)

    def kind_label(kind: str) -> str:
        return f"web-ledger-kind-{kind}" if kind in LEDGER_KINDS else ""

    return await render(request, "customer.html", {
        "customer": customer,
        "owner": people.get(customer.owner_id) if customer.owner_id else None,
        "phones": [{"e164": phone.e164, "text": formatting.phone_text(phone.e164, locale)} for phone in phones],
        "addresses": await CustomerAddress.filter(customer_id=customer.id).order_by("position", "id"),
        "companies": await customer.companies.filter(merged_into_id__isnull=True).order_by("name"),
        "members": await customer.members.filter(merged_into_id__isnull=True).order_by("name"),
        "balance": formatting.money(balance, currency, locale),
        "balance_negative": balance < 0,
        "entries": [{
            "entry": entry,
            "amount": formatting.money(entry.amount, entry.currency, locale),
            "negative": Decimal(str(entry.amount)) < 0,
            "kind_label": kind_label(entry.kind),
            "actor": people.get(entry.actor_id, ""),
        } for entry in reversed(entries)],
        "cards": [{"card": card, "number": card_number(card), "stage": card.stage.title(locale),
                   "stage_kind": card.stage.kind} for card in cards],
        "vehicles": await vehicles_of(customer.id) if can(actor, "vehicle.view") else None,
        "duplicates": [{"candidate": candidate, "phones": duplicate_phones.get(candidate.customer.id, [])}
                       for candidate in duplicates],
        "may_merge": may_merge,
        "may_post": await may(actor, "ledger.post", customer),
        "ledger_kinds": LEDGER_KINDS,
        "ledger_form": ledger_form or LedgerForm(),
        "currency": currency,
        "error": error,
    }, status=status)


@permission_required("customer.view")
async def customer_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    customer = await visible_customer(actor, _id(request))
    if customer.merged_into_id is not None:
        survivor = await Customer.get_or_none(id=customer.merged_into_id)
        if survivor is not None and await may(actor, "customer.view", survivor):
            await flash(request, "ok", "web-customer-was-merged", name=customer.name)
            return see_other(f"/customers/{survivor.id}")
    return await _customer_page(request, actor, customer)


def parse_amount(text: str) -> Decimal | None:
    """"1 234,50", "-300", "+12.5" → Decimal; None for anything else (core then says what is wrong)."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("−", "-")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@permission_required("ledger.post")
async def post_ledger_entry(request: web.Request, actor: Actor) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    customer = await visible_customer(actor, _id(request))
    form = await request.post()
    values = LedgerForm(amount=str(form.get("amount", ""))[:40], kind=str(form.get("kind", ""))[:32],
                        note=str(form.get("note", ""))[:300])
    amount = parse_amount(values.amount)
    try:
        if amount is None:
            raise crm.CustomerError("invalid_amount")
        await crm.post_entry(actor, customer.id, amount, values.kind, note=values.note,
                             currency=settings.crm.currency)
    except Denied:
        return await _customer_page(request, actor, customer, error=_error("forbidden"), ledger_form=values,
                                    status=403)
    except crm.CustomerError as exc:
        return await _customer_page(request, actor, customer, error=_error(exc.reason), ledger_form=values,
                                    status=409 if exc.reason == "merged" else 400)
    await flash(request, "ok", "web-ledger-posted")
    return see_other(f"/customers/{customer.id}#ledger")


# --- merging ------------------------------------------------------------------------------------------------------


async def _merge_page(request: web.Request, actor: Actor, *, error: tuple[str, dict[str, Any]] | None = None,
                      status: int = 200) -> web.StreamResponse:
    set_nav(request, "customers")
    settings = request.config_dict[SETTINGS]
    locale = await request_locale(request)
    survivor = await visible_customer(actor, _id(request))
    duplicate = await visible_customer(actor, _id(request, "other"))
    phones = await _phones([survivor.id, duplicate.id], locale)

    async def summary(customer: Customer) -> dict[str, Any]:
        return {
            "customer": customer,
            "phones": phones.get(customer.id, []),
            "cards": await Card.filter(customer_id=customer.id).count(),
            "balance": formatting.money(await crm.balance(customer.id, settings.crm.currency),
                                        settings.crm.currency, locale),
        }

    return await render(request, "customer_merge.html", {
        "survivor": await summary(survivor),
        "duplicate": await summary(duplicate),
        "error": error,
        "swap_url": f"/customers/{duplicate.id}/merge/{survivor.id}",
        "back_url": f"/customers/{survivor.id}#duplicates",
    }, status=status)


@permission_required("customer.merge")
async def merge_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    if _id(request) == _id(request, "other"):
        raise web.HTTPNotFound()  # nothing to confirm; a forged form still gets core's refusal
    return await _merge_page(request, actor)


@permission_required("customer.merge")
async def merge_submit(request: web.Request, actor: Actor) -> web.StreamResponse:
    survivor = await visible_customer(actor, _id(request))
    duplicate = await visible_customer(actor, _id(request, "other"))
    try:
        await crm.merge_customers(actor, survivor.id, duplicate.id)
    except Denied:
        return await _merge_page(request, actor, error=_error("forbidden"), status=403)
    except crm.CustomerError as exc:
        return await _merge_page(request, actor, error=_error(exc.reason), status=409)
    await flash(request, "ok", "web-merge-done", name=duplicate.name)
    return see_other(f"/customers/{survivor.id}")
