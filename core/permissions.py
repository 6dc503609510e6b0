"""Who may do what. The one place that answers it; the bot, the panel and the API all ask here.

The foundation knows only staff-level actions; the full catalogue with own/all scopes grows with the CRM.
"""

from __future__ import annotations

from collections.abc import Iterable

from models import Role

# Actions every active staff member may take on their own account.
STAFF_ACTIONS = frozenset({"web.login", "profile.edit", "help.view"})
# Entries of the bot's main menu, in order, each with the action it needs; the same list gives the commands.
MENU = (("invite", "staff.manage"), ("web", "web.login"), ("language", "profile.edit"), ("help", "help.view"))


def may(roles: Iterable[Role], action: str) -> bool:
    roles = list(roles)
    if not roles:
        return False
    if any(role.is_admin for role in roles):
        return True
    return action in STAFF_ACTIONS


def menu_items(roles: Iterable[Role]) -> list[str]:
    roles = list(roles)
    return [item for item, action in MENU if may(roles, action)]
