from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# Late tasks per stage: remind or reissue (core.tasks.sweep); tasks due when a card's date field says. New columns
# of tables that hold rows are nullable: an upgrade adds them without a default in SQL (null reads as remind).
class Migration(migrations.Migration):
    dependencies = [('models', '0010_drafts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Stage',
            name='overdue_policy',
            field=fields.CharField(default='remind', null=True, max_length=16),
        ),
        ops.AddField(
            model_name='Stage',
            name='supervisor_role',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Task',
            name='due_field',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
