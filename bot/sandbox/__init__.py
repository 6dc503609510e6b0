"""Telegram sandbox: a local Bot API look-alike plus a persona API, a test client and a browser chat."""

from .server import create_sandbox_app, sandbox_api_server
from .state import DEFAULT_TOKEN, SandboxState

__all__ = ["DEFAULT_TOKEN", "SandboxState", "create_sandbox_app", "sandbox_api_server"]
