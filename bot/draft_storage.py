"""aiogram's FSM storage on the database (core.drafts) for a bot without Redis."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from core import drafts


class DatabaseStorage(BaseStorage):
    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._keys = DefaultKeyBuilder(prefix="fsm", with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await drafts.write(self._key(key), self.ttl, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        draft = await drafts.read(self._key(key), self.ttl)
        return draft.state if draft else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await drafts.write(self._key(key), self.ttl, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        draft = await drafts.read(self._key(key), self.ttl)
        return dict(draft.data) if draft else {}

    async def close(self) -> None:
        return None
