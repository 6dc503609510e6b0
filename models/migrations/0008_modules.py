import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class AlterFieldOnPostgres(ops.AlterField):
    """SQLite does not enforce a VARCHAR's length, and remaking the table there (its only way to alter a column)
    would drop the table's directory-version triggers (0006)."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if state_editor is not None and state_editor.client.capabilities.dialect != "postgres":
            return
        await super().database_forward(app_label, old_state, new_state, state_editor)


# Modules: scopes a module adds (core.modules.Scope) have longer names than own / all; transitions have guards
# (core.guards).
class Migration(migrations.Migration):
    dependencies = [('models', '0007_definitions_version')]

    initial = False

    operations = [
        AlterFieldOnPostgres(
            model_name='RolePermission',
            name='scope',
            field=fields.CharField(max_length=32, default='all'),
        ),
        ops.AddField(
            model_name='Transition',
            name='guards',
            field=fields.JSONField(default=list, null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
    ]
