"""Helpers for the CRM pages' tests: more people of the generic pack, cards and customers made through core."""

from __future__ import annotations

import re

from core.customers import create_customer
from core.permissions import SYSTEM
from core.pipelines import card_number, create_card
from models import Card, Customer, Role, Staff
from tests.web.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, MANAGER_LOGIN, MANAGER_PASSWORD, login, password_hash

HEAD_LOGIN = "kateryna"
HEAD_PASSWORD = "head-password-1"
OTHER_LOGIN = "ivan"
OTHER_PASSWORD = "manager-password-2"
CREDENTIALS = {
    "admin": (ADMIN_LOGIN, ADMIN_PASSWORD),
    "manager": (MANAGER_LOGIN, MANAGER_PASSWORD),
    "head": (HEAD_LOGIN, HEAD_PASSWORD),
    "other": (OTHER_LOGIN, OTHER_PASSWORD),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def more_people(people: dict[str, Staff]) -> dict[str, Staff]:
    """The `people` fixture's admin and manager, plus a head of sales and a second manager."""
    head = await Staff.create(name="Катерина Керівник", login=HEAD_LOGIN, password_hash=password_hash(HEAD_PASSWORD),
                              locale="ru")
    await head.roles.add(await Role.get(key="head"))
    other = await Staff.create(name="Іван Другий", login=OTHER_LOGIN, password_hash=password_hash(OTHER_PASSWORD),
                               locale="ru")
    await other.roles.add(await Role.get(key="manager"))
    return {**people, "head": head, "other": other}


async def signed_in(panel, settings, who: str):
    client = await panel(settings)
    name, password = CREDENTIALS[who]
    response = await login(client, name, password)
    assert response.status == 303, await response.text()
    return client


async def token_of(client, path: str) -> str:
    response = await client.get(path)
    match = _CSRF.search(await response.text())
    assert match, f"no CSRF token on {path} ({response.status})"
    return match.group(1)


async def card_for(owner: Staff, title: str = "Лид", *, customer: Customer | None = None, **kwargs) -> Card:
    card = await create_card(SYSTEM, "sales", title=title, owner=owner, assignee=owner, customer=customer, **kwargs)
    return await Card.get(id=card.id).select_related("pipeline", "stage")


def number_of(card: Card) -> str:
    return card_number(card)


async def customer(name: str, *phones: str, owner: Staff | None = None, email: str | None = None,
                   kind: str = "person") -> Customer:
    return await create_customer(SYSTEM, name=name, phones=phones, email=email, owner=owner, kind=kind, region="UA")
