"""OutboxSender without a server: method building, error mapping, kicks, shutdown."""

import asyncio

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramUnauthorizedError
from aiogram.methods import SendLocation, SendMessage, SendPhoto
from aiogram.types import InlineKeyboardMarkup

from core import outbox
from jobs.outbox_sender import OutboxSender, build_method
from models import ChatState, Outbox


class ScriptedBot:
    """Answers each call with the next scripted outcome (an exception to raise, or None for success)."""

    def __init__(self, *outcomes, delay: float = 0.0) -> None:
        self.outcomes = list(outcomes)
        self.calls: list = []
        self.delay = delay

    async def __call__(self, method):
        self.calls.append(method)
        if self.delay:
            await asyncio.sleep(self.delay)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(outcome, Exception):
            raise outcome
        return True


async def test_payload_becomes_the_bot_api_call(db):
    markup = {"inline_keyboard": [[{"text": "Open", "callback_data": "order:1"}]]}
    row = await outbox.enqueue(3, "<b>Order 1</b>", payload={"parse_mode": "HTML", "reply_markup": markup})
    method = build_method(row)
    assert isinstance(method, SendMessage) and method.chat_id == 3 and method.parse_mode == "HTML"
    assert isinstance(method.reply_markup, InlineKeyboardMarkup)
    photo = build_method(await outbox.enqueue(3, "car", method="sendPhoto", payload={"photo": "AgAC1"}))
    assert isinstance(photo, SendPhoto) and photo.caption == "car"
    where = build_method(
        await outbox.enqueue(3, method="sendLocation", payload={"latitude": 50.45, "longitude": 30.52})
    )
    assert isinstance(where, SendLocation)


async def test_a_bad_payload_fails_without_a_call(db, settings):
    row = await outbox.enqueue(3, method="sendLocation", payload={"latitude": "north"})
    bot = ScriptedBot()
    assert await OutboxSender(bot, settings).drain() == 0
    assert bot.calls == []
    fresh = await Outbox.get(id=row.id)
    assert fresh.status == "failed" and fresh.error.startswith("bad payload")


async def test_network_errors_back_off_and_a_wrong_token_costs_no_attempt(db, settings):
    row = await outbox.enqueue(4, "hi")
    probe = SendMessage(chat_id=4, text="hi")
    sender = OutboxSender(ScriptedBot(TelegramNetworkError(probe, "connection reset")), settings)
    sender.horizon = 0  # do not stay for the retry
    await sender.drain()
    fresh = await Outbox.get(id=row.id)
    assert (fresh.status, fresh.attempts) == ("pending", 1) and "connection reset" in fresh.error

    await Outbox.filter(id=row.id).update(not_before=fresh.created_at)
    sender = OutboxSender(ScriptedBot(TelegramUnauthorizedError(probe, "Unauthorized")), settings)
    sender.horizon = 0
    await sender.drain()
    fresh = await Outbox.get(id=row.id)
    assert (fresh.status, fresh.attempts) == ("pending", 1)
    assert not (await sender.limiter.reserve(max_wait=1.0)).booked  # everything waits for the token to be fixed
    assert sender.held_for() > 25 and await sender.drain() == 0


async def test_a_429_on_a_group_holds_only_that_group(db, settings):
    probe = SendMessage(chat_id=-100, text="x")
    await outbox.enqueue(-100, "group news")
    bot = ScriptedBot(TelegramRetryAfter(probe, "Too Many Requests", retry_after=20))
    sender = OutboxSender(bot, settings)
    await sender.drain()
    assert (await sender.limiter.reserve(max_wait=0.5)).booked  # the bot as a whole is not paused
    state = await ChatState.get(chat_id=-100)
    assert state.next_send_at is not None
    assert await outbox.claim_due() == []


async def test_run_forever_wakes_on_enqueue_and_stops_cleanly(db, settings):
    bot = ScriptedBot()
    sender = OutboxSender(bot, settings, poll_interval=5.0)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run_forever(stop))
    await asyncio.sleep(0.05)
    assert sender.running
    await outbox.enqueue(8, "now")
    for _ in range(50):
        if bot.calls:
            break
        await asyncio.sleep(0.01)
    assert [c.text for c in bot.calls] == ["now"]
    stop.set()
    await asyncio.wait_for(task, 1)
    assert not sender.running


async def test_cancelled_mid_send_gives_the_row_back(db, settings):
    row = await outbox.enqueue(9, "slow network")
    sender = OutboxSender(ScriptedBot(delay=5), settings)
    task = asyncio.create_task(sender.drain())
    await asyncio.sleep(0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert (await Outbox.get(id=row.id)).status == "pending"


async def test_replies_taken_over_from_a_dead_process_go_out_back_to_back(db, settings):
    """Replies answer what the user just did: like those sent right after their update, the ones a dead process
    left behind are not paced per chat (a paced chat would wait a second between them)."""
    for position, text in enumerate(["one", "two"]):
        row = outbox.reply_row(42, position, 9, "sendMessage", {"text": text})
        await outbox.write_replies([row], owner=987654321)  # that process is gone: no lock held on its id
    await outbox.enqueue(9, "a notification")
    bot = ScriptedBot()
    sender = OutboxSender(bot, settings)
    sender.horizon = 0  # one look, no waiting for what falls due later
    await sender.drain()
    assert [call.text for call in bot.calls] == ["one", "two", "a notification"]
