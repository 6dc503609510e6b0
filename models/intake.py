"""Inbound HTTP: per-source API keys, idempotency records, and import jobs."""

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    """A lead source (website form, landing page). Only the sha256 of the key is stored."""

    id = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=64, unique=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    pipeline_key = fields.CharField(max_length=64)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class IdempotencyRecord(Model):
    id = fields.BigIntField(primary_key=True)
    api_key = fields.ForeignKeyField("models.ApiKey", related_name="idempotency_records")
    key = fields.CharField(max_length=200)
    body_hash = fields.CharField(max_length=64)
    status = fields.CharField(max_length=16, default="in_flight")  # in_flight / done
    response_status = fields.IntField(null=True)
    response_body = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_record"
        unique_together = (("api_key", "key"),)


class ImportJob(Model):
    id = fields.BigIntField(primary_key=True)
    entity = fields.CharField(max_length=32)  # customers / vehicles / cards
    file_name = fields.CharField(max_length=255)
    path = fields.CharField(max_length=500)
    sha256 = fields.CharField(max_length=64)
    mapping = fields.JSONField(default=dict)
    options = fields.JSONField(default=dict)
    # dry_run -> queued -> running -> done | failed
    status = fields.CharField(max_length=16, default="dry_run", db_index=True)
    total_rows = fields.IntField(default=0)
    processed_rows = fields.IntField(default=0)
    created = fields.IntField(default=0)
    updated = fields.IntField(default=0)
    skipped = fields.IntField(default=0)
    rejected = fields.IntField(default=0)
    report = fields.JSONField(default=list)  # [{row, outcome, reason}] for rejected/skipped rows
    error = fields.TextField(null=True)
    actor = fields.ForeignKeyField("models.Staff", related_name="imports", null=True)
    channel = fields.CharField(max_length=16, default="import")
    # Where the bot shows progress (a message that edits itself), when started from the bot.
    progress_chat_id = fields.BigIntField(null=True)
    progress_message_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_job"
