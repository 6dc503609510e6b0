import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

_JSON = {"encoder": functools.partial(dumps, separators=(',', ':')), "decoder": loads}
# 0007's list of a pipeline's definition columns, with line_kinds and link_kinds: a change to them empties the
# processes' caches.
PIPELINE_DEFINITION = ("key", "pack", "pack_version", "titles", "number_prefix", "field_schema", "line_kinds",
                       "link_kinds", "distribution", "distribution_role", "active")


async def watch_new_definitions(apps, schema_editor) -> None:
    client = schema_editor.client
    columns = ", ".join(PIPELINE_DEFINITION)
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "DROP TRIGGER IF EXISTS pipeline_directory_version ON pipeline; "
            f"CREATE TRIGGER pipeline_directory_version AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF {columns} "
            "ON pipeline FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();"
        )
        return
    await client.execute_script("DROP TRIGGER IF EXISTS pipeline_update_directory_version;")
    await client.execute_script(
        f"CREATE TRIGGER pipeline_update_directory_version AFTER UPDATE OF {columns} ON pipeline BEGIN "
        "INSERT INTO directory_version (id, version) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET version = version + 1; END;"
    )


# Lines on cards (core.lines): parts, jobs, services, each priced and decided on; links between cards (core.links).
class Migration(migrations.Migration):
    dependencies = [('models', '0008_modules')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Pipeline',
            name='line_kinds',
            field=fields.JSONField(default=list, null=True, **_JSON),
        ),
        ops.AddField(
            model_name='Pipeline',
            name='link_kinds',
            field=fields.JSONField(default=list, null=True, **_JSON),
        ),
        ops.CreateModel(
            name='CardLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('card', fields.ForeignKeyField('models.Card', source_field='card_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('reference_row', fields.ForeignKeyField('models.ReferenceRow', source_field='reference_row_id', null=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=300)),
                ('quantity', fields.DecimalField(default=1, max_digits=14, decimal_places=3)),
                ('unit_price', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('unit_cost', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('currency', fields.CharField(max_length=3)),
                ('fields_data', fields.JSONField(default=dict, **_JSON)),
                ('position', fields.IntField(default=0)),
                ('state', fields.CharField(null=True, max_length=32)),
                ('version', fields.IntField(default=1)),
                ('decision', fields.CharField(default='pending', max_length=16)),
                ('decided_by', fields.ForeignKeyField('models.Staff', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='line_decisions', on_delete=OnDelete.CASCADE)),
                ('decided_by_customer', fields.ForeignKeyField('models.Customer', source_field='decided_by_customer_id', null=True, db_constraint=True, to_field='id', related_name='line_decisions', on_delete=OnDelete.CASCADE)),
                ('decision_channel', fields.CharField(null=True, max_length=16)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_version', fields.IntField(null=True)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'card_line', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CardLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('card', fields.ForeignKeyField('models.Card', source_field='card_id', db_constraint=True, to_field='id', related_name='links_out', on_delete=OnDelete.CASCADE)),
                ('other', fields.ForeignKeyField('models.Card', source_field='other_id', db_constraint=True, to_field='id', related_name='links_in', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('created_by', fields.ForeignKeyField('models.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='card_links', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'card_link', 'app': 'models', 'pk_attr': 'id', 'unique_together': (('card', 'other', 'kind'),)},
            bases=['Model'],
        ),
        ops.RunPython(watch_new_definitions),
    ]
