"""Keeps the sandbox's world (personas, chats, files, undelivered updates) on disk, so a demo killed
mid-load comes back as Telegram would: nothing the users sent is lost. Re-delivered updates are harmless:
the inbox drops the ones it has already seen."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
from pathlib import Path

from bot.sandbox.state import SandboxState

log = logging.getLogger(__name__)
FIELDS = ("users", "chats", "files", "pending_updates", "delivered_update_ids", "next_update_id",
          "next_user_id", "commands", "callback_queries")


def save(state: SandboxState, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    # Owner-only: the chats hold one-time login links the bot sent to admins.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(temporary, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        pickle.dump({name: getattr(state, name) for name in FIELDS}, file, protocol=pickle.HIGHEST_PROTOCOL)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def load(state: SandboxState, path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with path.open("rb") as file:
            snapshot = pickle.load(file)  # noqa: S301 - our own file in our own data dir
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        log.warning("sandbox snapshot %s is unreadable; starting with an empty sandbox", path)
        return False
    for name in FIELDS:
        if name in snapshot:
            setattr(state, name, snapshot[name])
    return True


def persist(state: SandboxState, path: Path) -> asyncio.Task:
    """Saves at once whenever a user sends something, and shortly after any other change."""
    enqueue = state.enqueue_update

    def enqueue_and_save(kind, payload):
        update = enqueue(kind, payload)
        save(state, path)
        return update

    state.enqueue_update = enqueue_and_save

    async def save_on_activity() -> None:
        while True:
            await state.activity.wait(None)
            await asyncio.sleep(0.2)
            with contextlib.suppress(OSError):
                save(state, path)

    return asyncio.create_task(save_on_activity())
