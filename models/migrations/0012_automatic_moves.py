from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# Transitions the system takes by itself once their guards hold (core.pipelines.take_automatic_moves).
class Migration(migrations.Migration):
    dependencies = [('models', '0011_task_policies')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Transition',
            name='automatic',
            field=fields.BooleanField(default=False, null=True),
        ),
    ]
