"""Tortoise ORM models. Migrations live in models/migrations (Tortoise's built-in migrations)."""

from models.activity import Activity
from models.identity import Invite, LoginLink, Role, Staff, WebLoginFailure
from models.messaging import ChatState, InboxUpdate, Outbox

__all__ = [
    "Activity",
    "ChatState",
    "InboxUpdate",
    "Invite",
    "LoginLink",
    "Outbox",
    "Role",
    "Staff",
    "WebLoginFailure",
]
