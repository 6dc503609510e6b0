"""End to end: the outbox sender against the real sandbox Bot API server on 127.0.0.1."""

import asyncio
import contextlib
import time
from types import SimpleNamespace

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.sandbox.server import create_sandbox_app, sandbox_api_server
from bot.sandbox.state import SandboxState
from core import outbox
from jobs.outbox_sender import OutboxSender
from models import ChatState, Outbox
from tests.servers import sandbox_parent, served

TOKEN = "100000:SANDBOX-token"
TOLERANCE = 0.005


@pytest.fixture
async def sandbox():
    state = SandboxState(token=TOKEN)
    async with served(sandbox_parent(create_sandbox_app(state))) as base:
        bot = Bot(TOKEN, session=AiohttpSession(api=sandbox_api_server(base)))
        http = aiohttp.ClientSession()

        async def api(method: str, path: str, body: dict | None = None) -> dict:
            async with http.request(method, f"{base}/sandbox/api/{path}", json=body) as resp:
                assert resp.status < 300, await resp.text()
                return await resp.json()

        async def user(name: str) -> int:
            return (await api("POST", "users", {"name": name, "language_code": "en"}))["id"]

        def bot_texts(chat_id: int) -> list[str]:
            chat = state.chats[chat_id]
            return [m.tg.get("text") for m in sorted(chat.visible(), key=lambda m: m.message_id) if m.sender == "bot"]

        try:
            yield SimpleNamespace(state=state, bot=bot, api=api, user=user, bot_texts=bot_texts)
        finally:
            await http.close()
            await bot.session.close()


def deliveries(state: SandboxState, chat_id: int | None = None) -> list[float]:
    return [d.at for d in state.deliveries if chat_id is None or d.chat_id == chat_id]


def calls(state: SandboxState, chat_id: int, status: int | None = None) -> list:
    return [c for c in state.calls if c.chat_id == chat_id and (status is None or c.status == status)]


@contextlib.asynccontextmanager
async def running(sender: OutboxSender):
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_forever(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def wait_until(predicate, within: float = 8.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_200_notifications_to_5_chats_all_arrive_within_the_limits(db, make_settings, sandbox):
    per_chat, overall = 20.0, 60.0
    settings = make_settings(outbox__per_chat_per_second=str(per_chat), outbox__global_per_second=str(overall))
    chats = [await sandbox.user(f"Persona {i}") for i in range(5)]
    for i in range(200):
        await outbox.enqueue(chats[i % 5], f"note {i}")

    started = time.monotonic()
    sent = await OutboxSender(sandbox.bot, settings).drain()
    elapsed = time.monotonic() - started

    assert sent == 200
    assert await Outbox.filter(status="sent").count() == 200
    for index, chat_id in enumerate(chats):
        # every text exactly once, in the order it was enqueued
        assert sandbox.bot_texts(chat_id) == [f"note {i}" for i in range(index, 200, 5)]
        times = deliveries(sandbox.state, chat_id)
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps) >= 1 / per_chat - TOLERANCE, f"chat {chat_id}: two messages {min(gaps):.4f}s apart"
    everything = deliveries(sandbox.state)
    assert len(everything) == 200
    busiest = max(sum(1 for t in everything[i:] if t < start + 1.0 - TOLERANCE) for i, start in enumerate(everything))
    assert busiest <= overall, f"{busiest} messages within one second"
    assert elapsed < 200 / overall + 2.0  # and not needlessly slow


async def test_a_429_is_retried_after_retry_after(db, settings, sandbox):
    alice = await sandbox.user("Alice")
    await sandbox.api(
        "POST", "faults", {"method": "sendMessage", "chat_id": alice, "error_code": 429, "retry_after": 1, "count": 1}
    )
    row = await outbox.enqueue(alice, "please retry me")
    async with running(OutboxSender(sandbox.bot, settings)):
        await wait_until(lambda: deliveries(sandbox.state, alice))
    (refused,) = calls(sandbox.state, alice, 429)
    (delivered,) = deliveries(sandbox.state, alice)
    assert delivered - refused.at >= 1.0
    assert sandbox.bot_texts(alice) == ["please retry me"]
    fresh = await Outbox.get(id=row.id)
    assert (fresh.status, fresh.attempts) == ("sent", 0)


async def test_a_429_for_everybody_pauses_every_chat(db, settings, sandbox):
    people = [await sandbox.user(f"P{i}") for i in range(3)]
    await sandbox.api("POST", "faults", {"method": "sendMessage", "error_code": 429, "retry_after": 1, "count": 1})
    for chat_id in people:
        await outbox.enqueue(chat_id, f"hello {chat_id}")
    async with running(OutboxSender(sandbox.bot, settings)):
        await wait_until(lambda: len(deliveries(sandbox.state)) == 3)
    refused = [c for c in sandbox.state.calls if c.status == 429]
    assert len(refused) == 1
    assert min(deliveries(sandbox.state)) - refused[0].at >= 1.0 - TOLERANCE
    for chat_id in people:
        assert sandbox.bot_texts(chat_id) == [f"hello {chat_id}"]


async def test_a_403_marks_the_chat_blocked_and_spares_the_others(db, settings, sandbox):
    blocker, friend = await sandbox.user("Blocker"), await sandbox.user("Friend")
    await sandbox.api("POST", f"users/{blocker}/block")
    for i in range(3):
        await outbox.enqueue(blocker, f"to blocker {i}")
        await outbox.enqueue(friend, f"to friend {i}")
    sender = OutboxSender(
        sandbox.bot,
        settings.model_copy(update={"outbox": settings.outbox.model_copy(update={"per_chat_per_second": 50.0})}),
    )
    assert await sender.drain() == 3

    assert (await ChatState.get(chat_id=blocker)).blocked_at is not None
    assert await Outbox.filter(chat_id=blocker).values_list("status", flat=True) == ["blocked"] * 3
    assert await Outbox.filter(chat_id=friend, status="sent").count() == 3
    assert sandbox.bot_texts(friend) == [f"to friend {i}" for i in range(3)]
    assert len(calls(sandbox.state, blocker)) == 1  # one refused try, then nothing

    late = await outbox.enqueue(blocker, "after the block")
    assert late.status == "blocked"
    assert await sender.drain() == 0
    assert len(calls(sandbox.state, blocker)) == 1


async def test_bad_requests_fail_once_and_server_errors_retry(db, settings, sandbox):
    alice = await sandbox.user("Alice")
    unknown = await outbox.enqueue(987654321, "nobody here")
    await sandbox.api("POST", "faults", {"method": "sendMessage", "chat_id": alice, "error_code": 502, "count": 1})
    flaky = await outbox.enqueue(alice, "after a gateway error")
    async with running(OutboxSender(sandbox.bot, settings)):
        await wait_until(lambda: deliveries(sandbox.state, alice))
    gone = await Outbox.get(id=unknown.id)
    assert gone.status == "failed" and "chat not found" in gone.error
    assert len(calls(sandbox.state, 987654321)) == 1
    fresh = await Outbox.get(id=flaky.id)
    assert (fresh.status, fresh.attempts) == ("sent", 1)
    (refused,) = calls(sandbox.state, alice, 502)
    assert deliveries(sandbox.state, alice)[0] - refused.at >= 0.5  # backoff of the first attempt: 0.5..1 s


async def test_real_limits_never_trip_the_sandbox_flood_control(db, settings, sandbox):
    await sandbox.api("POST", "settings", {"flood_control": True})
    people = [await sandbox.user(f"P{i}") for i in range(3)]
    for round_ in range(2):
        for chat_id in people:
            await outbox.enqueue(chat_id, f"round {round_}")
    assert settings.outbox.per_chat_per_second == 1.0
    assert await OutboxSender(sandbox.bot, settings).drain() == 6
    assert [c for c in sandbox.state.calls if c.status == 429] == []
    assert await Outbox.filter(status="sent").count() == 6


async def test_an_album_arrives_as_one_media_group_silent_marks_show_and_an_edit_keeps_its_message(db, make_settings,
                                                                                                   sandbox):
    settings = make_settings(outbox__global_per_second="10")
    alice = await sandbox.user("Alice")
    files = [sandbox.state.add_file(kind, data=f"{kind}{n}".encode(), file_name=f"f{n}")
             for n, kind in enumerate(("photo", "photo", "photo", "video"))]
    media = [{"type": kind, "media": stored.file_id, **({"caption": "Ваш автомобіль"} if n == 0 else {})}
             for n, (kind, stored) in enumerate(zip(("photo", "photo", "photo", "video"), files, strict=True))]
    await outbox.enqueue(alice, method="sendMediaGroup", payload={"media": media, "disable_notification": True})
    await outbox.enqueue(alice, "after the album")
    sent = await OutboxSender(sandbox.bot, settings).drain()
    assert sent == 2

    chat = [m for m in sorted(sandbox.state.chats[alice].visible(), key=lambda m: m.message_id) if m.sender == "bot"]
    album, after = chat[:4], chat[4]
    assert len({m.tg.get("media_group_id") for m in album}) == 1 and album[0].tg["media_group_id"]
    assert [("photo" in m.tg, "video" in m.tg) for m in album] == [(True, False)] * 3 + [(False, True)]
    assert album[0].tg["caption"] == "Ваш автомобіль" and all(m.silent for m in album) and not after.silent
    times = deliveries(sandbox.state, alice)
    # The album counts as four messages against the global pace (10/s): the next send waits for all four slots.
    assert times[1] - times[0] >= 4 / 10 - TOLERANCE

    await outbox.enqueue(alice, method="editMessageText",
                         payload={"message_id": after.message_id, "text": "the list, updated in place"})
    await OutboxSender(sandbox.bot, settings).drain()
    edited = sandbox.state.chats[alice].messages[after.message_id]
    assert edited.tg["text"] == "the list, updated in place" and edited.edited
    assert [m.message_id for m in sandbox.state.chats[alice].visible() if m.sender == "bot"][-1] == after.message_id
