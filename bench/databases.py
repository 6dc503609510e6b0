"""A fresh PostgreSQL database on 127.0.0.1 for a benchmark run (the benches never talk to anything else)."""

from __future__ import annotations

import asyncpg

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


async def fresh_database(name: str) -> str:
    conn = await asyncpg.connect(PG_ADMIN)
    await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await conn.execute(f"CREATE DATABASE {name}")
    await conn.close()
    return f"postgres://postgres@127.0.0.1:5432/{name}"
