"""dramatiq in-process: async actors on the main loop, the deliver/sweep actors, the sweep scheduler."""

import asyncio
import threading
import time
import uuid

import dramatiq
import pytest

from core import outbox
from jobs import actors
from jobs.broker import close_broker, setup_broker
from jobs.outbox_sender import OutboxSender
from jobs.scheduler import run_scheduler
from jobs.worker import start_jobs, start_worker
from models import Outbox


class FakeBot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def __call__(self, method):
        self.sent.append((method.chat_id, method.text))
        return True


@pytest.fixture(params=["stub", "redis"])
def broker_settings(request, make_settings):
    """Settings for an in-memory broker, and for a Redis one."""
    if request.param == "stub":
        return make_settings(redis__url="")
    url = request.getfixturevalue("redis_url")
    return make_settings(redis__url=url)


@pytest.fixture
def broker(broker_settings):
    namespace = f"estafeta-test-{uuid.uuid4().hex[:8]}"
    made = setup_broker(broker_settings, namespace=namespace)
    yield made
    client = getattr(made, "client", None)
    if client is not None:
        keys = list(client.scan_iter(f"{namespace}*"))
        if keys:
            client.delete(*keys)
    close_broker()


@pytest.fixture
def hooks():
    before = actors.sweep_hooks()
    yield
    for hook in actors.sweep_hooks():
        if hook not in before:
            actors.unregister_sweep_hook(hook)


async def test_an_async_actor_reads_the_db_on_the_main_loop(db, broker_settings, broker):
    row = await outbox.enqueue(77, "read me from a worker")
    seen = {}

    async def probe(outbox_id: int) -> None:
        fetched = await Outbox.get(id=outbox_id)  # Tortoise connections belong to the main loop
        seen.update(text=fetched.payload["text"], loop=asyncio.get_running_loop(), thread=threading.get_ident())

    dramatiq.Actor(
        probe, broker=broker, actor_name="probe", queue_name=actors.QUEUE, priority=0, options={"max_retries": 0}
    )
    handle = await start_worker(broker_settings, worker_threads=2, worker_timeout=50)
    try:
        broker.get_actor("probe").send(row.id)
        await handle.join()
    finally:
        await handle.stop()
    assert seen == {
        "text": "read me from a worker",
        "loop": asyncio.get_running_loop(),
        "thread": threading.get_ident(),
    }


async def test_deliver_outbox_actor_drains_with_the_process_sender(db, broker_settings, broker):
    bot = FakeBot()
    actors.use_sender(OutboxSender(bot, broker_settings))
    await outbox.enqueue(1, "one")
    await outbox.enqueue(2, "two")
    handle = await start_worker(broker_settings, worker_timeout=50)
    try:
        actors.send(actors.DELIVER_OUTBOX)
        await handle.join()
    finally:
        await handle.stop()
        actors.use_sender(None)
    assert sorted(bot.sent) == [(1, "one"), (2, "two")]
    assert await Outbox.filter(status="sent").count() == 2


async def test_sweep_runs_every_hook_and_survives_a_failing_one(hooks):
    ran = []

    async def broken():
        raise RuntimeError("boom")

    async def reminders():
        ran.append("reminders")

    actors.register_sweep_hook(broken)
    actors.register_sweep_hook(reminders)
    actors.register_sweep_hook(reminders)  # registering twice is a no-op
    assert await actors.sweep() == len(actors.sweep_hooks()) - 1
    assert ran == ["reminders"]


async def test_sweep_hooks_run_once_per_tick_even_with_two_schedulers(db, broker_settings, broker, hooks):
    interval = 0.25
    runs = []

    @actors.register_sweep_hook
    async def count_runs():
        runs.append(time.time())

    handle = await start_worker(broker_settings, worker_timeout=50)
    stop = asyncio.Event()
    try:
        now = time.time()  # start just after a tick, stop just after the third one from there
        first = (now // interval + 1) * interval
        await asyncio.sleep(first + 0.05 - now)
        schedulers = [asyncio.create_task(run_scheduler(stop, interval=interval)) for _ in range(2)]
        await asyncio.sleep(first + 3 * interval + 0.1 - time.time())
        stop.set()
        await asyncio.gather(*schedulers)
        await handle.join()
    finally:
        stop.set()
        await handle.stop()
    assert len(runs) == 3, runs


async def test_start_jobs_wires_sender_worker_and_scheduler(db, make_settings, hooks):
    settings = make_settings(redis__url="")
    bot = FakeBot()
    swept = asyncio.Event()

    @actors.register_sweep_hook
    async def mark():
        swept.set()

    jobs = await start_jobs(settings, bot, sweep_interval=0.2)
    try:
        await outbox.enqueue(5, "kicked at once")
        for _ in range(100):
            if bot.sent:
                break
            await asyncio.sleep(0.01)
        assert bot.sent == [(5, "kicked at once")]
        await asyncio.wait_for(swept.wait(), 2)
    finally:
        await jobs.stop()
        close_broker()
    assert not jobs.sender.running
