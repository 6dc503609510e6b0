"""Card moves per second through the whole engine, beside a bare single-row insert on the same connection pool.

Every move is `core.pipelines.move_card`: permission check, compare-and-set on the version, a history row, the
old stage's tasks closed, the new stage's on-enter notification written to the outbox, an audit row — in one
transaction. The bench pipeline ping-pongs cards between two stages that both notify a role, so every move writes
history + outbox. Concurrency N means N workers, each moving its own cards (no contention on one card).

    .venv/bin/python bench/moves.py [--moves 2000] [--concurrency 1 16]

Database: ESTAFETA__DATABASE__URL, default a fresh PostgreSQL database `estafeta_bench_moves` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tortoise import Tortoise, connections  # noqa: E402

from bench.databases import fresh_database  # noqa: E402
from core.db import migrate, tortoise_config  # noqa: E402
from core.packs import PACKS_DIR, load_pack  # noqa: E402
from core.permissions import load_actor  # noqa: E402
from core.pipelines import create_card, move_card  # noqa: E402
from models import Role, Staff  # noqa: E402

BENCH_PIPELINE = """
[[pipelines]]
key = "pingpong"
titles = { en = "Ping-pong" }
number_prefix = "P"

[[pipelines.stages]]
key = "ping"
on_enter = [{ notify = ["role:head"] }]

[[pipelines.stages]]
key = "pong"
on_enter = [{ notify = ["role:head"] }]

[[pipelines.stages]]
key = "done"
kind = "done"

[[pipelines.transitions]]
key = "to_pong"
from = "ping"
to = "pong"

[[pipelines.transitions]]
key = "to_ping"
from = "pong"
to = "ping"
reason = true

[[pipelines.transitions]]
key = "finish"
from = "pong"
to = "done"
"""


def bench_packs_dir() -> Path:
    packs = Path(tempfile.mkdtemp(prefix="estafeta-bench-")) / "packs"
    shutil.copytree(PACKS_DIR / "generic", packs / "generic")
    (packs / "generic" / "bench.toml").write_text(BENCH_PIPELINE, encoding="utf-8")
    return packs


def summary(latencies: list[float], elapsed: float) -> str:
    latencies = sorted(latencies)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return f"{len(latencies) / elapsed:8.0f}/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"


async def run_workers(concurrency: int, per_worker: int, work) -> tuple[list[float], float]:
    latencies: list[float] = []

    async def worker(index: int) -> None:
        for step in range(per_worker):
            started = time.perf_counter()
            await work(index, step)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker(index) for index in range(concurrency)))
    return latencies, time.perf_counter() - started


async def bench(moves: int, levels: list[int]) -> None:
    url = os.environ.get("ESTAFETA__DATABASE__URL") or await fresh_database("estafeta_bench_moves")
    await migrate(url)
    await Tortoise.init(config=tortoise_config(url))
    try:
        await load_pack("generic", with_demo=False, packs_dir=bench_packs_dir())
        mover = await Staff.create(name="Mover")
        await mover.roles.add(await Role.get(key="head"))
        watcher = await Staff.create(name="Watcher", telegram_id=990001)
        await watcher.roles.add(await Role.get(key="head"))
        actor = await load_actor(mover, channel="bench")
        conn = connections.get("default")
        print(f"database: {url.split('@')[-1]}   moves per level: {moves}")
        for concurrency in levels:
            per_worker = max(1, moves // concurrency)
            cards = [[(await create_card(actor, "pingpong", title=f"w{w}c{c}")).id for c in range(4)]
                     for w in range(concurrency)]

            async def one_move(worker: int, step: int, cards=cards) -> None:
                card_id = cards[worker][step % 4]
                # Each card alternates ping → pong → ping; four cards per worker keep the cycle simple.
                if (step // 4) % 2 == 0:
                    await move_card(actor, card_id, "to_pong")
                else:
                    await move_card(actor, card_id, "to_ping", reason="bench")

            async def one_insert(worker: int, step: int, concurrency=concurrency) -> None:
                await conn.execute_query("INSERT INTO chat_state (chat_id) VALUES ($1)",
                                         [concurrency * 10_000_000 + worker * 100_000 + step])

            move_lat, move_time = await run_workers(concurrency, per_worker, one_move)
            insert_lat, insert_time = await run_workers(concurrency, per_worker, one_insert)
            move_rate, insert_rate = len(move_lat) / move_time, len(insert_lat) / insert_time
            print(f"concurrency {concurrency:>2}  moves   {summary(move_lat, move_time)}")
            print(f"concurrency {concurrency:>2}  insert  {summary(insert_lat, insert_time)}")
            print(f"concurrency {concurrency:>2}  ratio   moves/inserts = {move_rate / insert_rate:.3f}"
                  f"   (p50 {statistics.median(move_lat) / statistics.median(insert_lat):.1f}× an insert)")
    finally:
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    args = parser.parse_args()
    asyncio.run(bench(args.moves, args.concurrency))


if __name__ == "__main__":
    main()
