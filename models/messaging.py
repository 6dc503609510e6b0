from tortoise import fields
from tortoise.models import Model


class InboxUpdate(Model):
    """Every Telegram update, stored before it is acknowledged. The key is the de-duplication."""

    update_id = fields.BigIntField(primary_key=True, generated=False)
    payload = fields.JSONField()
    # pending -> processing -> done | failed
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    received_at = fields.DatetimeField(auto_now_add=True)
    claimed_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    error = fields.TextField(null=True)

    class Meta:
        table = "inbox_update"


class Outbox(Model):
    """A message to deliver to Telegram, written in the same transaction as the change it reports."""

    id = fields.BigIntField(primary_key=True)
    chat_id = fields.BigIntField(db_index=True)
    method = fields.CharField(max_length=32, default="sendMessage")
    payload = fields.JSONField()
    # pending -> sending -> sent | failed | blocked
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    not_before = fields.DatetimeField(db_index=True)
    claimed_at = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox"
        indexes = (("status", "not_before"), ("chat_id", "status"))


class ChatState(Model):
    """Per-chat delivery state: when the next message may go, and whether the user blocked the bot."""

    chat_id = fields.BigIntField(primary_key=True, generated=False)
    next_send_at = fields.DatetimeField(null=True)
    blocked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "chat_state"
