"""The pipeline engine's data: pipelines, stages, transitions, cards and what hangs off a card."""

from tortoise import fields
from tortoise.models import Model


class Pipeline(Model):
    """A pipeline is data, seeded from a pack: its stages, transitions and field schema."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    pack = fields.CharField(max_length=64)
    pack_version = fields.IntField(default=1)
    titles = fields.JSONField(default=dict)
    # Card numbers read e.g. "A-0042": prefix + zero-padded per-pipeline counter.
    number_prefix = fields.CharField(max_length=8, default="")
    last_number = fields.IntField(default=0)
    # [{key, type, titles, reference?, editable_in?, editable_by?}] — see core.fields
    field_schema = fields.JSONField(default=list)
    # [{key, titles, states?, fields?, decision?, editable_in?}] — the kinds of lines its cards have; see core.lines
    line_kinds = fields.JSONField(default=list, null=True)  # null on rows from before 0009
    # [{key, titles, back_titles, to, copy_fields, copy_lines}] — its cards open linked cards in `to`; core.links
    link_kinds = fields.JSONField(default=list, null=True)
    # How new cards from the intake API find a manager: none / round_robin / least_loaded
    distribution = fields.CharField(max_length=16, default="none")
    distribution_role = fields.CharField(max_length=64, null=True)
    # Staff id the last round-robin pick went to; the next pick is the next active one after it.
    distribution_cursor = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "pipeline"

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or self.key


class Stage(Model):
    id = fields.IntField(primary_key=True)
    pipeline = fields.ForeignKeyField("models.Pipeline", related_name="stages")
    key = fields.CharField(max_length=64)
    titles = fields.JSONField(default=dict)
    kind = fields.CharField(max_length=8, default="open")  # open / done / lost
    position = fields.IntField(default=0)
    acting_role = fields.CharField(max_length=64, null=True)
    sla_hours = fields.FloatField(null=True)
    required_fields = fields.JSONField(default=list)
    # [{"task": {...}} | {"notify": [...]}] — see core.pipelines
    on_enter = fields.JSONField(default=list)
    # What a late task of this stage becomes (core.tasks.sweep): "remind" (marked overdue, people told) or
    # "reissue" (closed as expired, a new one opened for the same people, the supervisor role told).
    overdue_policy = fields.CharField(max_length=16, default="remind", null=True)  # null (before 0011): remind
    supervisor_role = fields.CharField(max_length=64, null=True)
    # False once a newer pack version dropped it; cards still in it keep working.
    active = fields.BooleanField(default=True)

    class Meta:
        table = "stage"
        unique_together = (("pipeline", "key"),)

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or self.key


class Transition(Model):
    id = fields.IntField(primary_key=True)
    pipeline = fields.ForeignKeyField("models.Pipeline", related_name="transitions")
    key = fields.CharField(max_length=64)
    from_stage = fields.ForeignKeyField("models.Stage", related_name="transitions_out")
    to_stage = fields.ForeignKeyField("models.Stage", related_name="transitions_in")
    roles = fields.JSONField(default=list)
    reason_required = fields.BooleanField(default=False)
    labels = fields.JSONField(default=dict)
    # [{"field": key} | {"balance": "zero"} | {"check": name}] — see core.guards
    guards = fields.JSONField(default=list, null=True)  # null on rows from before 0008
    # Taken by the system as soon as its guards hold (the last line received → the next stage); core.pipelines
    automatic = fields.BooleanField(default=False, null=True)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "transition"
        unique_together = (("pipeline", "key"),)

    def label(self, locale: str) -> str:
        return self.labels.get(locale) or self.labels.get("en") or self.key


class Card(Model):
    id = fields.BigIntField(primary_key=True)
    pipeline = fields.ForeignKeyField("models.Pipeline", related_name="cards")
    number = fields.IntField()
    title = fields.CharField(max_length=300, default="")
    stage = fields.ForeignKeyField("models.Stage", related_name="cards")
    customer = fields.ForeignKeyField("models.Customer", related_name="cards", null=True)
    vehicle = fields.ForeignKeyField("models.Vehicle", related_name="cards", null=True)
    owner = fields.ForeignKeyField("models.Staff", related_name="owned_cards", null=True)
    assignee = fields.ForeignKeyField("models.Staff", related_name="assigned_cards", null=True)
    priority = fields.IntField(default=0)
    urgent = fields.BooleanField(default=False)
    deadline = fields.DatetimeField(null=True)
    fields_data = fields.JSONField(default=dict)
    source = fields.CharField(max_length=64, null=True)
    external_id = fields.CharField(max_length=128, null=True, db_index=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    stage_entered_at = fields.DatetimeField(null=True)
    # When the sweep told people the card outstayed its stage's SLA; cleared by every move.
    sla_breached_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "card"
        unique_together = (("pipeline", "number"),)


class CardHistory(Model):
    id = fields.BigIntField(primary_key=True)
    card = fields.ForeignKeyField("models.Card", related_name="history")
    from_stage = fields.ForeignKeyField("models.Stage", related_name="history_from", null=True)
    to_stage = fields.ForeignKeyField("models.Stage", related_name="history_to")
    transition_key = fields.CharField(max_length=64, null=True)
    actor = fields.ForeignKeyField("models.Staff", related_name="card_moves", null=True)
    channel = fields.CharField(max_length=16)
    reason = fields.TextField(null=True)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "card_history"


class Comment(Model):
    id = fields.BigIntField(primary_key=True)
    card = fields.ForeignKeyField("models.Card", related_name="comments")
    author = fields.ForeignKeyField("models.Staff", related_name="comments", null=True)
    text = fields.TextField()
    channel = fields.CharField(max_length=16)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "comment"


class Attachment(Model):
    id = fields.BigIntField(primary_key=True)
    card = fields.ForeignKeyField("models.Card", related_name="attachments", null=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="attachments", null=True)
    kind = fields.CharField(max_length=16)  # photo / video / document / voice
    telegram_file_id = fields.CharField(max_length=256, null=True)
    telegram_unique_id = fields.CharField(max_length=128, null=True)
    # Telegram's media_group_id: an album's parts share it, and keep their order by id.
    media_group = fields.CharField(max_length=64, null=True)
    path = fields.CharField(max_length=500, null=True)  # relative to the storage directory
    name = fields.CharField(max_length=255, default="")
    mime = fields.CharField(max_length=100, default="")
    size = fields.BigIntField(default=0)
    sha256 = fields.CharField(max_length=64, default="")
    uploaded_by = fields.ForeignKeyField("models.Staff", related_name="attachments", null=True)
    channel = fields.CharField(max_length=16)
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachment"


class Task(Model):
    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=300)
    # Titles per locale when the task comes from a pack (a stage's on-enter action); `title` is the fallback.
    titles = fields.JSONField(default=dict)
    card = fields.ForeignKeyField("models.Card", related_name="tasks", null=True)
    assignee = fields.ForeignKeyField("models.Staff", related_name="tasks", null=True)
    assignee_role = fields.CharField(max_length=64, null=True)
    due_at = fields.DatetimeField(null=True, db_index=True)
    status = fields.CharField(max_length=16, default="open", db_index=True)  # open / done / cancelled
    overdue = fields.BooleanField(default=False)
    overdue_at = fields.DatetimeField(null=True)
    # The stage whose on-enter action made it; moving the card out closes it.
    stage = fields.ForeignKeyField("models.Stage", related_name="tasks", null=True)
    # Hours after the due time at which the sweep creates a follow-up; null: none.
    follow_up_hours = fields.FloatField(null=True)
    follow_up_of = fields.ForeignKeyField("models.Task", related_name="follow_ups", null=True)
    # Due when this card field says (an appointment, an ETA), and moved when it moves (core.tasks.follow_field).
    due_field = fields.CharField(max_length=64, null=True)
    created_by = fields.ForeignKeyField("models.Staff", related_name="created_tasks", null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "task"

    def title_for(self, locale: str) -> str:
        return self.titles.get(locale) or self.title


class RolePermission(Model):
    """An action granted to a role with a scope: own (I am owner/assignee), all, or one a module adds."""

    id = fields.IntField(primary_key=True)
    role = fields.ForeignKeyField("models.Role", related_name="permissions")
    action = fields.CharField(max_length=64)
    scope = fields.CharField(max_length=32, default="all")

    class Meta:
        table = "role_permission"
        unique_together = (("role", "action"),)


class Reference(Model):
    """A list a pack defines (car makes, products, reject reasons). Choice fields point at its rows."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    titles = fields.JSONField(default=dict)

    class Meta:
        table = "reference"


class ReferenceRow(Model):
    id = fields.IntField(primary_key=True)
    reference = fields.ForeignKeyField("models.Reference", related_name="rows")
    key = fields.CharField(max_length=64)
    titles = fields.JSONField(default=dict)
    data = fields.JSONField(default=dict)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "reference_row"
        unique_together = (("reference", "key"),)

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or self.key
