from tortoise import migrations
from tortoise.migrations import operations as ops

# Pipelines' definitions are cached per process too (core.definitions), under the same version as who is who.
DEFINITION_TABLES = ("stage", "transition")
# A pipeline row also carries counters moved by every new card (last_number, distribution_cursor): those are not
# a change of definition and must not empty every process's caches.
PIPELINE_DEFINITION = ("key", "pack", "pack_version", "titles", "number_prefix", "field_schema", "distribution",
                       "distribution_role", "active")


async def add_definition_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    columns = ", ".join(PIPELINE_DEFINITION)
    if client.capabilities.dialect == "postgres":
        for table, events in [(table, "INSERT OR UPDATE OR DELETE OR TRUNCATE") for table in DEFINITION_TABLES] + [
                ("pipeline", f"INSERT OR DELETE OR TRUNCATE OR UPDATE OF {columns}")]:
            await client.execute_script(
                f"CREATE TRIGGER {table}_directory_version AFTER {events} "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();"
            )
        return
    for table in (*DEFINITION_TABLES, "pipeline"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            condition = f"UPDATE OF {columns}" if table == "pipeline" and event == "UPDATE" else event
            await client.execute_script(
                f"CREATE TRIGGER {table}_{event.lower()}_directory_version AFTER {condition} ON {table} BEGIN "
                "INSERT INTO directory_version (id, version) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = version + 1; END;"
            )


class Migration(migrations.Migration):
    dependencies = [('models', '0006_exactly_once')]

    initial = False

    operations = [
        ops.RunPython(add_definition_triggers),
    ]
