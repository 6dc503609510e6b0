"""The web panel (aiohttp + Jinja2): sign-in, staff and invites; `setup_webadmin` wires it into an app."""

from webadmin.app import current_staff, require_admin_page, setup_webadmin

__all__ = ["current_staff", "require_admin_page", "setup_webadmin"]
