"""A notification committed in one process goes out at once from the sender loop of another (Redis wake-up)."""

import asyncio
import time

from core import outbox
from jobs.outbox_sender import OutboxSender


class RecordingBot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str, float]] = []

    async def __call__(self, method):
        self.sent.append((method.chat_id, method.text, time.monotonic()))
        return True


async def test_a_row_written_elsewhere_wakes_the_sender_loop_at_once(db, make_settings, redis_url):
    from redis.asyncio import Redis

    settings = make_settings(redis__url=redis_url)
    worker_redis, web_redis = Redis.from_url(redis_url), Redis.from_url(redis_url)
    bot = RecordingBot()
    # The worker's loop would otherwise look only every 30 s.
    worker = OutboxSender(bot, settings, redis_client=worker_redis, poll_interval=30.0)
    web = OutboxSender(RecordingBot(), settings, redis_client=web_redis)
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run_forever(stop))
    try:
        await asyncio.sleep(0.3)  # the loop has drained the empty outbox and sleeps; its subscription is up
        outbox.remove_listener(worker.kick)  # as if in another process: this process's enqueues can't kick it
        outbox.add_listener(web.announce)
        written = time.monotonic()
        await outbox.enqueue(777, "from the panel")
        for _ in range(100):
            if bot.sent:
                break
            await asyncio.sleep(0.02)
        assert [(chat, text) for chat, text, _ in bot.sent] == [(777, "from the panel")]
        assert bot.sent[0][2] - written < 1.0
    finally:
        outbox.remove_listener(web.announce)
        stop.set()
        await loop
        await worker_redis.aclose()
        await web_redis.aclose()
