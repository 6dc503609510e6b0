"""Two `estafeta web` processes on one PostgreSQL database and one Redis, as behind a load balancer, with a fake
Telegram on 127.0.0.1 (bench.harness). They need a PostgreSQL server on 127.0.0.1; under CI=true its absence fails
the run instead of skipping."""

from __future__ import annotations

import asyncio
import os
import sys

import aiohttp
import asyncpg
import pytest
import pytest_asyncio

from bench.harness import Children, FakeBotAPI, Person, estafeta_env, free_port
from tests.conftest import LOCAL_REDIS
from tests.own_database import own_postgres

INVITE = "👤 Invite a colleague"
# Starting two processes takes a while: the tests of this module share them.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def two_processes(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("two-processes")
    redis_url = os.environ.get("ESTAFETA__REDIS__URL") or LOCAL_REDIS
    api = FakeBotAPI()
    async with own_postgres("estafeta_two") as db_url:
        await api.start()
        endpoints = []
        try:
            async with Children(tmp_path / "logs") as children:
                for index in range(2):
                    port = free_port()
                    env = estafeta_env(db_url=db_url, port=port, api_base=api.base_url,
                                       data_dir=tmp_path / f"data{index}", redis_url=redis_url)
                    child = children.add(f"web{index}", [sys.executable, "-m", "estafeta", "web"], env,
                                         f"http://127.0.0.1:{port}/healthz")
                    await child.start()
                    await child.wait_healthy(120)  # one after the other: the first one migrates the database
                    endpoints.append(f"http://127.0.0.1:{port}/telegram/webhook")
                yield api, endpoints, db_url, env
        finally:
            await api.stop()


async def replies_of(person: Person, count: int, seconds: float = 20.0) -> list:
    deadline = asyncio.get_running_loop().time() + seconds
    while len(person.log.calls) < count:
        assert asyncio.get_running_loop().time() < deadline, f"{len(person.log.calls)} of {count} replies came"
        await asyncio.sleep(0.05)
    return person.log.calls


def buttons(call) -> list[str]:
    markup = call.params.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


async def test_the_same_updates_delivered_to_both_processes_at_once_are_handled_once(two_processes):
    api, endpoints, _, _ = two_processes
    people = [Person(api, 7_100_000 + n, f"Guest {n}", endpoints[0], language_code="en") for n in range(12)]
    async with aiohttp.ClientSession() as http:
        posts = []
        for person in people:
            update = person.text_update("/start")
            for endpoint in endpoints:  # Telegram re-sends to the load balancer, which picks the other process
                person.endpoint = endpoint
                posts.append(person.post(http, dict(update)))
        assert set(await asyncio.gather(*posts)) == {200}
    for person in people:
        await replies_of(person, 1)
    await asyncio.sleep(1.0)  # a second reply, if any, would come now
    assert [len(person.log.calls) for person in people] == [1] * len(people)


async def estafeta_cli(env: dict[str, str], *args: str) -> str:
    """The CLI, as an admin would run it on the server: another process again."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "estafeta", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


async def test_a_role_removed_is_gone_from_the_menu_in_every_process_at_the_next_update(two_processes):
    api, endpoints, db_url, env = two_processes
    await estafeta_cli(env, "pack", "load", "generic")
    printed = await estafeta_cli(env, "invite", "manager", "--name", "Olga Manager")
    start = next(line.split("send to the bot: ")[1] for line in printed.splitlines() if "send to the bot: " in line)
    olga = Person(api, 7_200_001, "Olga", endpoints[0], language_code="en")
    database = await asyncpg.connect(db_url)
    async with aiohttp.ClientSession() as http:

        async def menu_at(endpoint: str) -> list[str]:
            olga.endpoint = endpoint
            before = len(olga.log.calls)
            assert await olga.post(http, olga.text_update("/menu")) == 200
            calls = await replies_of(olga, before + 1)
            return buttons(calls[-1])

        try:
            assert await olga.post(http, olga.text_update(start)) == 200
            await replies_of(olga, 2)  # the welcome and the menu
            staff_id = await database.fetchval("SELECT id FROM staff WHERE telegram_id = $1", olga.user_id)
            admin_id = await database.fetchval("SELECT id FROM role WHERE key = 'admin'")
            assert INVITE not in await menu_at(endpoints[0])
            assert INVITE not in await menu_at(endpoints[1])  # both processes now hold her in their caches

            # As the panel would, in yet another process.
            await database.execute("INSERT INTO staff_role (staff_id, role_id) VALUES ($1, $2)", staff_id, admin_id)
            assert INVITE in await menu_at(endpoints[0])
            assert INVITE in await menu_at(endpoints[1])

            await database.execute("DELETE FROM staff_role WHERE staff_id = $1 AND role_id = $2", staff_id, admin_id)
            assert INVITE not in await menu_at(endpoints[1])
            assert INVITE not in await menu_at(endpoints[0])
        finally:
            await database.close()
