from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

# Tables whose changes alter who someone is to the bot (core.directory): a trigger on each bumps the version.
DIRECTORY_TABLES = ("staff", "staff_role", "role", "role_permission")


async def add_directory_triggers(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "CREATE OR REPLACE FUNCTION bump_directory_version() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO directory_version (id, version) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET version = directory_version.version + 1; RETURN NULL; END $$ "
            "LANGUAGE plpgsql;"
        )
        for table in DIRECTORY_TABLES:
            await client.execute_script(
                f"CREATE TRIGGER {table}_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();"
            )
        return
    for table in DIRECTORY_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            await client.execute_script(
                f"CREATE TRIGGER {table}_{event.lower()}_directory_version AFTER {event} ON {table} BEGIN "
                "INSERT INTO directory_version (id, version) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET version = version + 1; END;"
            )


# Exactly-once updates: inbox claims name their owning process and chat; a handler's replies are outbox rows
# keyed by (update_id, position); the command menu is set only when it changes; who is who is versioned.
class Migration(migrations.Migration):
    dependencies = [('models', '0005_card_sla')]

    initial = False

    operations = [
        ops.AddField(model_name='InboxUpdate', name='owner', field=fields.BigIntField(null=True)),
        ops.AddField(model_name='InboxUpdate', name='chat_id', field=fields.BigIntField(null=True)),
        ops.AddField(model_name='InboxUpdate', name='kind', field=fields.CharField(null=True, max_length=40)),
        ops.AddField(model_name='Outbox', name='update_id', field=fields.BigIntField(null=True)),
        ops.AddField(model_name='Outbox', name='position', field=fields.IntField(null=True)),
        ops.AddField(model_name='Outbox', name='owner', field=fields.BigIntField(null=True)),
        ops.AddField(model_name='Outbox', name='sent_message_id', field=fields.BigIntField(null=True)),
        ops.AddConstraint(model_name='Outbox', constraint=UniqueConstraint(fields=('update_id', 'position'))),
        ops.AddField(model_name='ChatState', name='commands_key', field=fields.CharField(null=True, max_length=64)),
        ops.CreateModel(
            name='DirectoryVersion',
            fields=[
                ('id', fields.IntField(generated=False, primary_key=True, unique=True, db_index=True)),
                ('version', fields.BigIntField(default=0)),
            ],
            options={'table': 'directory_version', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row, bumped by database triggers on every change to staff, roles, role grants or who has which role,\nwhatever code made it: each process caches who is who and reloads when this number moves.'},
            bases=['Model'],
        ),
        ops.RunPython(add_directory_triggers),
    ]
