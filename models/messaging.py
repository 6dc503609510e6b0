from tortoise import fields
from tortoise.models import Model


class InboxUpdate(Model):
    """Every Telegram update, stored before it is acknowledged. The key is the de-duplication."""

    update_id = fields.BigIntField(primary_key=True, generated=False)
    payload = fields.JSONField()
    # pending -> processing -> done | failed; ignored: a kind of update this bot does not handle
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    received_at = fields.DatetimeField(auto_now_add=True)
    claimed_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    error = fields.TextField(null=True)
    # The process holding the claim (core.liveness): its claims are free the moment it is gone.
    owner = fields.BigIntField(null=True)
    # Per-chat order across processes is kept by chat; kind says what it was (message, callback_query …).
    chat_id = fields.BigIntField(null=True)
    kind = fields.CharField(max_length=40, null=True)

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
    # A handler's reply: the update it answers and its place among that update's effects. The pair is unique,
    # so an update handled again after a crash cannot write its replies twice.
    update_id = fields.BigIntField(null=True)
    position = fields.IntField(null=True)
    # The process delivering a row in `sending` (core.liveness); rows of a process that is gone are taken back.
    owner = fields.BigIntField(null=True)
    # What Telegram answered for a sent message: later rows may refer to it before it exists (core.outbox).
    sent_message_id = fields.BigIntField(null=True)

    class Meta:
        table = "outbox"
        indexes = (("status", "not_before"), ("chat_id", "status"))
        unique_together = (("update_id", "position"),)


class ChatState(Model):
    """Per-chat delivery state: when the next message may go, and whether the user blocked the bot."""

    chat_id = fields.BigIntField(primary_key=True, generated=False)
    next_send_at = fields.DatetimeField(null=True)
    blocked_at = fields.DatetimeField(null=True)
    # Fingerprint of the command menu last set for this chat: setMyCommands only when it changes.
    commands_key = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "chat_state"


class Draft(Model):
    """A bot conversation in progress (aiogram's FSM state and data) when Redis is not configured: kept in the
    database so a restart does not lose a half-filled dialog (core.drafts)."""

    key = fields.CharField(max_length=200, primary_key=True)
    state = fields.CharField(max_length=200, null=True)
    data = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "draft"
