"""A card's lines (parts, jobs, services, costs — each priced, and decided on by the customer or staff for him) and
its links to other cards (a work order of a parts order, a sample of a request)."""

from tortoise import fields
from tortoise.models import Model


class CardLine(Model):
    """One line of a card. Its kind, typed fields and states are declared by the pipeline (`Pipeline.line_kinds`);
    `version` moves with every change, and a decision names the version it was made on (core.lines)."""

    id = fields.BigIntField(primary_key=True)
    card = fields.ForeignKeyField("models.Card", related_name="lines")
    kind = fields.CharField(max_length=32)
    reference_row = fields.ForeignKeyField("models.ReferenceRow", related_name="lines", null=True)
    title = fields.CharField(max_length=300)
    quantity = fields.DecimalField(max_digits=14, decimal_places=3, default=1)
    unit_price = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    unit_cost = fields.DecimalField(max_digits=14, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3)
    fields_data = fields.JSONField(default=dict)
    position = fields.IntField(default=0)
    state = fields.CharField(max_length=32, null=True)  # one of the kind's states, the first on creation
    version = fields.IntField(default=1)
    decision = fields.CharField(max_length=16, default="pending")  # pending / approved / declined
    decided_by = fields.ForeignKeyField("models.Staff", related_name="line_decisions", null=True)
    decided_by_customer = fields.ForeignKeyField("models.Customer", related_name="line_decisions", null=True)
    decision_channel = fields.CharField(max_length=16, null=True)  # bot / web / phone
    decided_at = fields.DatetimeField(null=True)
    decided_version = fields.IntField(null=True)
    removed_at = fields.DatetimeField(null=True)  # removed lines stay for the record, out of every total
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "card_line"


class CardLink(Model):
    """`card` is `kind` of `other`, opened from it (the kind is declared by `other`'s pipeline: `Pipeline.link_kinds`;
    see core.links)."""

    id = fields.BigIntField(primary_key=True)
    card = fields.ForeignKeyField("models.Card", related_name="links_out")
    other = fields.ForeignKeyField("models.Card", related_name="links_in")
    kind = fields.CharField(max_length=32)
    created_by = fields.ForeignKeyField("models.Staff", related_name="card_links", null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "card_link"
        unique_together = (("card", "other", "kind"),)
