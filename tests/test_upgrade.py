"""An installation with data upgrades to the newest schema: a database made by the migrations of an earlier
release, holding a pack's pipelines, cards and people, is migrated to the latest and keeps working (new columns
on tables that hold rows must not need a default the database cannot give)."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from core.db import migrate, tortoise_config
from core.packs import load_pack
from core.permissions import SYSTEM
from core.pipelines import create_card, take_automatic_moves
from models import Card, Pipeline, Transition
from tests.own_database import own_postgres, own_tortoise

EARLIER_RELEASE = "models.0007_definitions_version"  # the schema main had before the verticals platform


async def _earlier_database_with_data(url: str) -> None:
    await tortoise_migrate(config=tortoise_config(url), target=EARLIER_RELEASE)
    await Tortoise.close_connections()
    # Rows as the earlier release wrote them: raw SQL, since today's models have columns that schema lacks.
    await Tortoise.init(config=tortoise_config(url))
    client = Tortoise.get_connection("default")
    await client.execute_script(
        "INSERT INTO pipeline (key, pack, pack_version, titles, number_prefix, last_number, field_schema, "
        "distribution, distribution_cursor, active) VALUES ('sales', 'generic', 0, '{}', 'S', 0, '[]', 'none', 0, "
        "TRUE);"
    )
    await client.execute_script(
        "INSERT INTO stage (pipeline_id, key, titles, kind, position, required_fields, on_enter, active) "
        "SELECT id, 'new', '{}', 'open', 0, '[]', '[]', TRUE FROM pipeline;"
    )
    await client.execute_script(
        "INSERT INTO transition (pipeline_id, key, from_stage_id, to_stage_id, roles, reason_required, labels, "
        "position, active) SELECT pipeline_id, 'stay', id, id, '[]', FALSE, '{}', 0, TRUE FROM stage;"
    )
    await Tortoise.close_connections()


async def _upgraded_and_working(url: str) -> None:
    await migrate(url)  # to the latest
    await Tortoise.init(config=tortoise_config(url))
    kept = await Transition.get(key="stay")
    assert kept.guards is None and not kept.automatic  # older rows: no guards, not automatic
    assert (await Pipeline.get(key="sales")).line_kinds is None
    await load_pack("generic", with_demo=False)  # the pack's newer version over the old rows (v0)
    card = await create_card(SYSTEM, "sales", title="після оновлення")
    assert (await Card.get(id=card.id)).number == 1
    assert (await Transition.get(key="win")).guards == [{"lines": "decided"}]
    assert await take_automatic_moves(card.id) is None  # reads the new columns of the upgraded rows


async def test_a_sqlite_installation_upgrades(tmp_path):
    async with own_tortoise():
        url = f"sqlite://{tmp_path}/old.db"
        await _earlier_database_with_data(url)
        await _upgraded_and_working(url)


async def test_a_postgresql_installation_upgrades():
    async with own_postgres("estafeta_upgrade") as url, own_tortoise():
        await _earlier_database_with_data(url)
        await _upgraded_and_working(url)
