from tortoise import fields
from tortoise.models import Model


class Activity(Model):
    """Audit log: who did what, through which channel, with the values before and after."""

    id = fields.BigIntField(primary_key=True)
    actor = fields.ForeignKeyField("models.Staff", related_name="activities", null=True)
    channel = fields.CharField(max_length=16)  # bot / web / api / import / system
    action = fields.CharField(max_length=64, db_index=True)
    object_type = fields.CharField(max_length=32, null=True)
    object_id = fields.CharField(max_length=64, null=True)
    before = fields.JSONField(null=True)
    after = fields.JSONField(null=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "activity"
