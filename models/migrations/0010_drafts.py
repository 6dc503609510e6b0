import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# Bot conversations in progress survive a restart without Redis (core.drafts).
class Migration(migrations.Migration):
    dependencies = [('models', '0009_lines')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Draft',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('state', fields.CharField(null=True, max_length=200)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'draft', 'app': 'models', 'pk_attr': 'key'},
            bases=['Model'],
        ),
    ]
