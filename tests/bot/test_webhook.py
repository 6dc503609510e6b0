"""The webhook (webhook mode only): authenticated, durable before 200, handled once, never a 500 for odd input."""

import aiohttp
import pytest

from bot.sandbox.client import SandboxClient
from models import InboxUpdate
from tests.bot.conftest import WEBHOOK_SECRET as SECRET
from tests.bot.updates import start_update


async def test_wrong_secret_is_refused_and_nothing_stored(hooked, telegram):
    telegram.state.add_user("Hook", language_code="en", user_id=4242)
    url = f"{hooked.base_url}/telegram/webhook"
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=start_update(11, 4242), headers=headers) as response:
                assert response.status == 401
        assert not await InboxUpdate.exists(update_id=11)
        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(url, json=start_update(12, 4242), headers=right) as ok:
            assert ok.status == 200
    await hooked.processor.wait_idle()
    assert (await InboxUpdate.get(update_id=12)).status == "done"


async def test_same_update_twice_is_handled_once(hooked, telegram):
    guest = telegram.state.add_user("Twice", language_code="en", user_id=4343)  # not a demo staff id
    update = start_update(987654321, guest.id)
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.post(f"{hooked.base_url}/telegram/webhook", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                assert response.status == 200
    await hooked.processor.wait_idle()
    async with SandboxClient(telegram.base_url) as client:
        messages = await (await client.existing_user(guest.id)).messages()
    assert len([m for m in messages if "ask your admin" in (m.text or "")]) == 1
    assert (await InboxUpdate.get(update_id=987654321)).status == "done"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"update_id": "x"}',
        b'{"update_id": true}',
        b'{"update_id": 5, "message": {"text": "no chat"}}',
        b'{"update_id": 6, "message": 42}',
        "\xff\xfe".encode("latin-1"),
    ],
)
async def test_malformed_updates_get_a_4xx(hooked, body):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{hooked.base_url}/telegram/webhook", data=body,
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET,
                                      "Content-Type": "application/json"}) as response:
            assert 400 <= response.status < 500


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 21, "edited_message": {"message_id": 2, "date": 1, "chat": {"id": 7, "type": "private"},
                                             "edit_date": 2, "text": "hi"}},
        {"update_id": 22, "channel_post": {"message_id": 3, "date": 1, "chat": {"id": -100, "type": "channel"},
                                           "text": "/start"}},
        {"update_id": 23, "message": {"message_id": 4, "date": 1, "chat": {"id": 8, "type": "private"},
                                      "from": {"id": 8, "is_bot": False, "first_name": "S"},
                                      "sticker": {"file_id": "x", "file_unique_id": "y", "type": "regular",
                                                  "width": 1, "height": 1, "is_animated": False,
                                                  "is_video": False}}},
        {"update_id": 24, "callback_query": {"id": "c1", "chat_instance": "z", "data": "m1:invite",
                                             "from": {"id": 9, "is_bot": False, "first_name": "F"}}},
        {"update_id": 25, "my_chat_member": {"chat": {"id": 10, "type": "private"}, "date": 1,
                                             "from": {"id": 10, "is_bot": False, "first_name": "B"},
                                             "old_chat_member": {"status": "member", "user": {
                                                 "id": 100000, "is_bot": True, "first_name": "bot"}},
                                             "new_chat_member": {"status": "kicked", "until_date": 0, "user": {
                                                 "id": 100000, "is_bot": True, "first_name": "bot"}}}},
    ],
)
async def test_odd_but_valid_updates_are_accepted_and_finished(hooked, update):
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{hooked.base_url}/telegram/webhook", json=update,
                             headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            assert response.status == 200
    await hooked.processor.wait_idle()
    row = await InboxUpdate.get(update_id=update["update_id"])
    assert row.status in ("done", "failed")


async def test_sandbox_mode_has_no_webhook(estafeta):
    """The sandbox bot polls; a webhook beside it would let anyone who reaches the port post updates as anyone."""
    path = estafeta.settings.telegram.webhook_path
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": ""}):
            async with http.post(f"{estafeta.base_url}{path}", json=start_update(31, 1000001),
                                 headers=headers) as response:
                assert response.status in (404, 405)
    assert not await InboxUpdate.exists(update_id=31)
