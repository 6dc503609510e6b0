"""Odd and forged updates aimed at the CRM paths (cards, leads, tasks, contacts, imports) posted to the webhook:
each is accepted with a 200 and handled without an exception — the inbox row finishes with no error."""

from __future__ import annotations

import aiohttp

from bot.sandbox_personas import connect_sandbox
from models import InboxUpdate
from tests.bot.conftest import WEBHOOK_SECRET as SECRET

MANAGER, HEAD, STRANGER = 1000002, 1000003, 4040404


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "U", "language_code": "ru"}


def _message(user_id: int, **content) -> dict:
    return {"message_id": 7, "date": 1700000000, "chat": {"id": user_id, "type": "private"},
            "from": _user(user_id), **content}


def _command(user_id: int, text: str) -> dict:
    command = text.split()[0]
    return _message(user_id, text=text, entities=[{"type": "bot_command", "offset": 0, "length": len(command)}])


def _callback(user_id: int, data: str, with_message: bool = True) -> dict:
    query = {"id": f"q{abs(hash(data)) % 10**8}", "chat_instance": "ci", "from": _user(user_id), "data": data}
    if with_message:
        query["message"] = {**_message(user_id, text="old"), "from": {"id": 100000, "is_bot": True,
                                                                      "first_name": "bot"}}
    else:
        query["inline_message_id"] = "inline-1"
    return query


ODD = [
    {"callback_query": _callback(MANAGER, "c1:open:notanumber")},
    {"callback_query": _callback(MANAGER, "c1:open:99999999999999999999999")},
    {"callback_query": _callback(MANAGER, "c1:open:-5")},
    {"callback_query": _callback(MANAGER, "c2:1:contact:abc")},
    {"callback_query": _callback(MANAGER, "c2:999:contact:1")},
    {"callback_query": _callback(MANAGER, "c2:3:propose:1")},  # Catherine's card
    {"callback_query": _callback(STRANGER, "c1:take:1")},
    {"callback_query": _callback(MANAGER, "c1:take:3")},
    {"callback_query": _callback(MANAGER, "c1:reject:1", with_message=False)},
    {"callback_query": _callback(HEAD, "c1:history:1", with_message=False)},
    {"callback_query": _callback(MANAGER, "c1:")},
    {"callback_query": _callback(MANAGER, "")},
    {"callback_query": _callback(MANAGER, "m1:tasks")},
    {"callback_query": _callback(STRANGER, "m1:cards")},
    {"message": _message(STRANGER, contact={"phone_number": "+380671112233", "first_name": "X",
                                             "user_id": 123})},  # someone else's contact
    {"message": _message(STRANGER, contact={"phone_number": "not a phone", "first_name": "X",
                                             "user_id": STRANGER})},
    {"message": _message(STRANGER, contact={"phone_number": "+380671112233", "first_name": "X"})},
    {"message": _message(HEAD, document={"file_id": "missing-file", "file_unique_id": "u1"})},
    {"message": _message(HEAD, document={"file_id": "missing-file", "file_unique_id": "u2",
                                          "file_name": "leads.xlsx", "file_size": 10**10})},
    {"message": _message(MANAGER, photo=[{"file_id": "nope", "file_unique_id": "p", "width": 1, "height": 1}])},
    {"message": _message(MANAGER, location={"latitude": 50.45, "longitude": 30.52})},
    {"message": _command(MANAGER, "/find " + "я" * 3000)},
    {"message": _command(MANAGER, "/find +")},
    {"message": _command(MANAGER, "/cards@some_other_bot")},
    {"message": _command(STRANGER, "/start inv_" + "x" * 60)},
    {"message": _command(STRANGER, "/start c1:open:1")},
    {"message": _command(MANAGER, "/tasks extra words")},
]


async def test_odd_crm_updates_are_handled_without_an_exception(hooked, telegram):
    await connect_sandbox(telegram.state, hooked.settings)
    telegram.state.add_user("Stranger", language_code="ru", user_id=STRANGER)
    async with aiohttp.ClientSession() as http:
        for number, update in enumerate(ODD, start=9000):
            async with http.post(f"{hooked.base_url}/telegram/webhook", json={"update_id": number, **update},
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                assert response.status == 200, (update, await response.text())
    await hooked.processor.wait_idle()
    rows = {row.update_id: row for row in await InboxUpdate.filter(update_id__gte=9000)}
    problems = {number: (rows[number].status, rows[number].error) for number in rows
                if rows[number].status != "done" or rows[number].error}
    assert len(rows) == len(ODD)
    assert problems == {}, "\n".join(f"{ODD[n - 9000]} -> {p}" for n, p in problems.items())


async def test_an_id_no_database_can_hold_is_not_found_in_the_panel(hooked):
    async with aiohttp.ClientSession() as http:
        for path in ("/cards/" + "9" * 30, "/customers/" + "9" * 30, "/attachments/" + "9" * 19):
            async with http.get(f"{hooked.base_url}{path}", allow_redirects=False) as response:
                assert response.status == 404, path
