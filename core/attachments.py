"""Attachments: photos, videos, documents and voice from the bot and the panel.

The local copy is content-addressed (`<sha256[:2]>/<sha256>` under the storage directory): the same file sent
twice is one file on disk. It is written to a temporary file and renamed into place, so a crash never leaves a
half-written file under a name that claims a checksum it does not have.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path

from tortoise.transactions import in_transaction

from core import activity
from models import Attachment, Card, Staff

KINDS = ("photo", "video", "document", "voice")


class AttachmentError(Exception):
    """A refused attachment; `reason` is a stable code the entry points translate.

    Reasons: ``kind`` (not photo/video/document/voice), ``too_big``, ``empty`` (neither bytes nor a Telegram
    file id), ``no_file`` (no local copy to read).
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _relative_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def _write_once(storage_dir: Path, relative: str, data: bytes) -> None:
    target = storage_dir / relative
    if target.is_file() and target.stat().st_size == len(data):
        return  # same content already stored (the name is its checksum)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


async def store_attachment(
    *,
    data: bytes | None,
    kind: str,
    channel: str,
    storage_dir: Path,
    card: Card | None = None,
    customer=None,
    name: str = "",
    mime: str = "",
    telegram_file_id: str | None = None,
    telegram_unique_id: str | None = None,
    media_group: str | None = None,
    uploaded_by: Staff | None = None,
    max_bytes: int,
) -> Attachment:
    """Keep a file: its local copy (when `data` is given), size, type, checksum and Telegram ids; logged.

    Permission to attach is the caller's check ("card.attach"); this stores what it is given.
    """
    if kind not in KINDS:
        raise AttachmentError("kind")
    if data is None and not telegram_file_id:
        raise AttachmentError("empty")
    sha256, size, relative = "", 0, None
    if data is not None:
        if len(data) > max_bytes:
            raise AttachmentError("too_big")
        sha256, size = hashlib.sha256(data).hexdigest(), len(data)
        relative = _relative_path(sha256)
        # File I/O off the event loop: a 50 MB video would otherwise stall every chat.
        await asyncio.to_thread(_write_once, Path(storage_dir), relative, data)
    # The row is written after the file: a crash between leaves an unreferenced file, never a dangling row.
    async with in_transaction():
        attachment = await Attachment.create(
            card=card,
            customer=customer,
            kind=kind,
            telegram_file_id=telegram_file_id,
            telegram_unique_id=telegram_unique_id,
            media_group=media_group,
            path=relative,
            name=(name or "")[:255],
            mime=(mime or "")[:100],
            size=size,
            sha256=sha256,
            uploaded_by=uploaded_by,
            channel=channel,
        )
        await activity.record(
            "attachment.add",
            channel=channel,
            actor=uploaded_by,
            object_type="attachment",
            object_id=attachment.id,
            after={
                "card_id": attachment.card_id,
                "customer_id": attachment.customer_id,
                "kind": kind,
                "name": attachment.name,
                "size": size,
                "sha256": sha256,
            },
        )
    return attachment


async def card_attachments(card_id: int) -> list[Attachment]:
    """A card's attachments in the order they came (an album's parts stay in order)."""
    return list(await Attachment.filter(card_id=card_id).order_by("id"))


def attachment_path(storage_dir: Path, attachment: Attachment) -> Path:
    """Where the local copy is. Raises AttachmentError("no_file") if there is none (only a Telegram file id)."""
    if not attachment.path:
        raise AttachmentError("no_file")
    root = Path(storage_dir).resolve()
    path = (root / attachment.path).resolve()
    # The stored path is ours, but a row edited by hand must still not point outside the storage directory.
    if not path.is_relative_to(root):
        raise AttachmentError("no_file")
    return path
