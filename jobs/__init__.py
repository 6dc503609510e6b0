"""Background work: the outbox sender, dramatiq actors on the main asyncio loop, and the sweep scheduler.

Wiring (see `jobs.worker.start_jobs` for all of it in one call)::

    broker = setup_broker(settings)            # RedisBroker when redis.url is set, else StubBroker
    handle = await start_worker(settings)      # dramatiq Worker threads; async actors run on this loop
    sender = OutboxSender(bot, settings)
    task = asyncio.create_task(sender.run_forever(stop))
    sched = asyncio.create_task(run_scheduler(stop, interval=60))
    ...
    stop.set(); await task; await sched; await handle.stop()
"""
