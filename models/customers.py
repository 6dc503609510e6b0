"""Customers (people and companies), their phones, addresses and balance ledger; vehicles and who owns them."""

from tortoise import fields
from tortoise.models import Model


class Customer(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=8, default="person")  # person / company
    name = fields.CharField(max_length=300)
    email = fields.CharField(max_length=254, null=True, db_index=True)
    notes = fields.TextField(default="")
    tags = fields.JSONField(default=list)
    source = fields.CharField(max_length=64, null=True)
    external_id = fields.CharField(max_length=128, null=True, db_index=True)
    # The manager responsible for the customer; "own" scope on customers means this, or a card of mine.
    owner = fields.ForeignKeyField("models.Staff", related_name="customers", null=True)
    telegram_id = fields.BigIntField(null=True, unique=True)
    locale = fields.CharField(max_length=8, null=True)
    companies: fields.ManyToManyRelation["Customer"] = fields.ManyToManyField(
        "models.Customer", related_name="members", through="customer_company"
    )
    # Set when merged into another customer; such a record is kept for history and hidden from lists.
    merged_into = fields.ForeignKeyField("models.Customer", related_name="merged_from", null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer"


class CustomerPhone(Model):
    id = fields.BigIntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="phones")
    e164 = fields.CharField(max_length=20, db_index=True)
    as_entered = fields.CharField(max_length=64, default="")
    position = fields.IntField(default=0)

    class Meta:
        table = "customer_phone"
        unique_together = (("customer", "e164"),)


class CustomerAddress(Model):
    id = fields.BigIntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="addresses")
    text = fields.CharField(max_length=500)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    position = fields.IntField(default=0)

    class Meta:
        table = "customer_address"


class LedgerEntry(Model):
    """Append-only: the balance is the sum of a customer's entries, never typed in."""

    id = fields.BigIntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="ledger")
    amount = fields.DecimalField(max_digits=14, decimal_places=2)
    currency = fields.CharField(max_length=3, default="UAH")
    kind = fields.CharField(max_length=32)  # payment / charge / bonus / correction / …
    card = fields.ForeignKeyField("models.Card", related_name="ledger", null=True)
    note = fields.CharField(max_length=300, default="")
    actor = fields.ForeignKeyField("models.Staff", related_name="ledger_entries", null=True)
    channel = fields.CharField(max_length=16)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "ledger_entry"


class Vehicle(Model):
    id = fields.BigIntField(primary_key=True)
    vin = fields.CharField(max_length=17, null=True, unique=True)
    plate = fields.CharField(max_length=16, null=True, db_index=True)
    make = fields.CharField(max_length=64, default="")
    model = fields.CharField(max_length=64, default="")
    year = fields.IntField(null=True)
    external_id = fields.CharField(max_length=128, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "vehicle"


class VehicleOwnership(Model):
    """Who owned a vehicle when. An owner change closes the old row (until) and opens a new one."""

    id = fields.BigIntField(primary_key=True)
    vehicle = fields.ForeignKeyField("models.Vehicle", related_name="ownerships")
    customer = fields.ForeignKeyField("models.Customer", related_name="ownerships")
    since = fields.DatetimeField()
    until = fields.DatetimeField(null=True)

    class Meta:
        table = "vehicle_ownership"
