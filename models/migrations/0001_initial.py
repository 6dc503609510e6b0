from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='ChatState',
            fields=[
                ('chat_id', fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ('next_send_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('blocked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'chat_state', 'app': 'models', 'pk_attr': 'chat_id', 'table_description': 'Per-chat delivery state: when the next message may go, and whether the user blocked the bot.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxUpdate',
            fields=[
                ('update_id', fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'inbox_update', 'app': 'models', 'pk_attr': 'update_id', 'table_description': 'Every Telegram update, stored before it is acknowledged. The key is the de-duplication.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Outbox',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField(db_index=True)),
                ('method', fields.CharField(default='sendMessage', max_length=32)),
                ('payload', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('not_before', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outbox', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A message to deliver to Telegram, written in the same transaction as the change it reports.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Role',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('titles', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_admin', fields.BooleanField(default=False)),
            ],
            options={'table': 'role', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Staff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('phone', fields.CharField(null=True, max_length=32)),
                ('telegram_id', fields.BigIntField(null=True, unique=True)),
                ('locale', fields.CharField(null=True, max_length=8)),
                ('active', fields.BooleanField(default=True)),
                ('login', fields.CharField(null=True, unique=True, max_length=100)),
                ('password_hash', fields.CharField(null=True, max_length=200)),
                ('roles', fields.ManyToManyField('models.Role', unique=True, db_constraint=True, through='staff_role', forward_key='role_id', backward_key='staff_id', related_name='staff', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Activity',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Staff', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=16)),
                ('action', fields.CharField(db_index=True, max_length=64)),
                ('object_type', fields.CharField(null=True, max_length=32)),
                ('object_id', fields.CharField(null=True, max_length=64)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'activity', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Audit log: who did what, through which channel, with the values before and after.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(default='', max_length=200)),
                ('created_by', fields.ForeignKeyField('models.Staff', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_invites', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_by_telegram_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'invite', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time deep link `/start inv_<token>` that binds a Telegram account to a staff record.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', db_constraint=True, to_field='id', related_name='login_links', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time web panel login link the bot sends (`/web`).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebLoginFailure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('login', fields.CharField(db_index=True, max_length=100)),
                ('address', fields.CharField(db_index=True, max_length=64)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'web_login_failure', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Failed password logins, counted per login name and per client address for lockout.'},
            bases=['Model'],
        ),
    ]
