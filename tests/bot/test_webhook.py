"""The webhook: authenticated, durable before 200, and never a 500 for odd input."""

import aiohttp
import pytest

from core.packs import load_pack
from estafeta.app import Estafeta
from models import InboxUpdate
from tests.bot.updates import start_update

SECRET = "s3cret-token-for-tests"


@pytest.fixture
async def hooked(make_settings, empty_database):
    app = Estafeta(make_settings(telegram__webhook_secret=SECRET))
    await app.start()
    await load_pack("generic", with_demo=True)
    yield app
    await app.stop()


async def test_wrong_secret_is_refused_and_nothing_stored(hooked):
    hooked.sandbox.add_user("Hook", language_code="en", user_id=4242)
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
