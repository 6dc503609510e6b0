"""Updates nobody can handle are contained: the right status at the webhook, stored or refused, never retried."""

import json

import aiohttp
import pytest
from aiohttp import web

from bot.webhook import make_webhook_handler
from models import InboxUpdate
from tests.bot.updates import text_update
from tests.servers import served

SECRET = "poison-secret"


@pytest.fixture
async def webhook(estafeta):
    """The product's webhook handler, on its own port, feeding the running product's processor."""
    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_post("/hook", make_webhook_handler(SECRET, lambda: estafeta.processor))
    async with served(app) as base, aiohttp.ClientSession() as http:

        async def post(body: bytes) -> int:
            async with http.post(f"{base}/hook", data=body, headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}) as response:
                return response.status

        yield post


async def recovery_spawns_nothing(estafeta) -> None:
    for _ in range(3):
        assert await estafeta.processor.recover() == 0
        await estafeta.processor.wait_idle()


async def test_an_unknown_update_type_is_stored_as_ignored_and_never_taken_again(estafeta, webhook):
    body = json.dumps({"update_id": 990001, "guest_message_reaction": {"chat": {"id": 5}, "emoji": "🦄"}})
    assert await webhook(body.encode()) == 200
    assert await webhook(body.encode()) == 200  # Telegram's re-delivery: acknowledged, nothing new
    await recovery_spawns_nothing(estafeta)
    row = await InboxUpdate.get(update_id=990001)
    assert (row.status, row.kind, row.attempts) == ("ignored", "guest_message_reaction", 0)
    assert "not handled" in row.error


@pytest.mark.parametrize("raw_text, stored_text", [
    ('"a\\u0000b"', "a\ufffdb"),
    ('"broken \\ud800 half"', "broken \ufffd half"),
    ('"\\udc00"', "\ufffd"),
])
async def test_text_the_database_would_refuse_is_stored_cleaned_and_answered(
        estafeta, sandbox, webhook, raw_text, stored_text):
    guest = await sandbox.user("Poison", language_code="en")
    update = text_update(990100, guest.id, "placeholder")
    body = json.dumps(update).replace('"placeholder"', raw_text).encode()
    assert await webhook(body) == 200
    await estafeta.processor.wait_idle()
    row = await InboxUpdate.get(update_id=990100)
    assert row.payload["message"]["text"] == stored_text
    assert row.status == "done"
    await recovery_spawns_nothing(estafeta)
    assert any("ask your admin" in (m.text or "") for m in await guest.messages())


@pytest.mark.parametrize("body, status", [
    (b'{"update_id": 1, "message": ' + b"[" * 2000 + b"]" * 2000 + b"}", 400),
    (b'{"update_id": 2, "message": ' + b'{"a":' * 200 + b"1" + b"}" * 200 + b"}", 400),
    (b'{"update_id": 3, "message": {"text": "' + b"x" * (2 * 1024 * 1024) + b'"}}', 413),
])
async def test_deep_or_oversized_bodies_get_a_4xx_and_nothing_is_stored(estafeta, webhook, body, status):
    assert await webhook(body) == status
    assert await InboxUpdate.all().count() == 0
    await recovery_spawns_nothing(estafeta)


@pytest.mark.parametrize("where", ["chat", "from"])
async def test_ids_no_database_can_hold_get_a_400_and_nothing_is_stored(estafeta, webhook, where):
    update = text_update(990200, 5, "hi")
    update["message"][where]["id"] = 2**64  # not Telegram's: its ids fit in 52 bits
    assert await webhook(json.dumps(update).encode()) == 400
    assert await InboxUpdate.all().count() == 0


async def test_users_with_ids_past_32_bits_are_answered(estafeta, webhook):
    """Telegram's newer accounts and every supergroup have ids past 2³¹ (a chat's turn hashes the id to a lock)."""
    for update_id, user_id in ((990300, 7_000_000_001), (990301, -1_001_234_567_890)):
        assert await webhook(json.dumps(text_update(update_id, user_id, "hello")).encode()) == 200
    await estafeta.processor.wait_idle()
    assert [row.status for row in await InboxUpdate.filter(update_id__gte=990300).order_by("update_id")] == \
        ["done", "done"]
