"""Tortoise ORM models. Migrations live in models/migrations (Tortoise's built-in migrations)."""

from models.activity import Activity
from models.crm import (
    Attachment,
    Card,
    CardHistory,
    Comment,
    Pipeline,
    Reference,
    ReferenceRow,
    RolePermission,
    Stage,
    Task,
    Transition,
)
from models.customers import Customer, CustomerAddress, CustomerPhone, LedgerEntry, Vehicle, VehicleOwnership
from models.identity import DirectoryVersion, Invite, LoginLink, Role, Staff, WebLoginFailure
from models.intake import ApiKey, IdempotencyRecord, ImportJob
from models.lines import CardLine, CardLink
from models.messaging import ChatState, Draft, InboxUpdate, Outbox

__all__ = [
    "Activity",
    "ApiKey",
    "Attachment",
    "Card",
    "CardHistory",
    "CardLine",
    "CardLink",
    "ChatState",
    "Comment",
    "Customer",
    "CustomerAddress",
    "CustomerPhone",
    "DirectoryVersion",
    "Draft",
    "IdempotencyRecord",
    "ImportJob",
    "InboxUpdate",
    "Invite",
    "LedgerEntry",
    "LoginLink",
    "Outbox",
    "Pipeline",
    "Reference",
    "ReferenceRow",
    "Role",
    "RolePermission",
    "Staff",
    "Stage",
    "Task",
    "Transition",
    "Vehicle",
    "VehicleOwnership",
    "WebLoginFailure",
]
