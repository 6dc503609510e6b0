"""Attachments: content-addressed local copies written atomically, limits, order on the card."""

import hashlib
import os

import pytest

from core import attachments
from core.attachments import AttachmentError
from models import Activity, Attachment
from tests.core.test_tasks import make_card, make_staff


async def test_a_file_is_stored_once_on_disk_and_listed_in_order(db, settings, tmp_path):
    storage = tmp_path / "files"
    uploader = await make_staff("Master")
    card = await make_card(uploader)
    photo = b"\xff\xd8 a photo of the scratch"
    digest = hashlib.sha256(photo).hexdigest()

    album = [
        await attachments.store_attachment(
            data=data, kind="photo", channel="bot", storage_dir=storage, card=card, media_group="g1",
            telegram_file_id=f"file-{i}", telegram_unique_id=f"u-{i}", uploaded_by=uploader, mime="image/jpeg",
            max_bytes=settings.storage.max_upload_mb * 1024 * 1024,
        )
        for i, data in enumerate([photo, b"second", photo])
    ]
    first = album[0]
    assert (first.sha256, first.size, first.path, first.kind) == (digest, len(photo), f"{digest[:2]}/{digest}", "photo")
    path = attachments.attachment_path(storage, first)
    assert path == (storage / digest[:2] / digest).resolve() and path.read_bytes() == photo
    assert attachments.attachment_path(storage, album[2]) == path
    stored_files = [p for p in storage.rglob("*") if p.is_file()]
    assert len(stored_files) == 2  # the same photo twice is one file; no temp files left behind
    assert [a.id for a in await attachments.card_attachments(card.id)] == [a.id for a in album]
    assert await Activity.filter(action="attachment.add", actor_id=uploader.id).count() == 3


async def test_a_telegram_only_attachment_has_no_local_copy(db, tmp_path):
    attachment = await attachments.store_attachment(
        data=None, kind="voice", channel="bot", storage_dir=tmp_path, telegram_file_id="voice-1", max_bytes=10,
    )
    assert attachment.path is None and attachment.size == 0
    with pytest.raises(AttachmentError) as no_file:
        attachments.attachment_path(tmp_path, attachment)
    assert no_file.value.reason == "no_file"


@pytest.mark.parametrize(
    ("kind", "data", "file_id", "reason"),
    [("sticker", b"x", None, "kind"), ("document", b"x" * 11, None, "too_big"), ("document", None, None, "empty")],
)
async def test_refusals_store_nothing(db, tmp_path, kind, data, file_id, reason):
    storage = tmp_path / "files"
    with pytest.raises(AttachmentError) as refused:
        await attachments.store_attachment(
            data=data, kind=kind, channel="web", storage_dir=storage, telegram_file_id=file_id, max_bytes=10
        )
    assert refused.value.reason == reason
    assert await Attachment.all().count() == 0
    assert not storage.exists()


async def test_a_crash_while_writing_leaves_no_half_file(db, tmp_path, monkeypatch):
    def crash(*args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    storage = tmp_path / "files"
    with pytest.raises(OSError):
        await attachments.store_attachment(data=b"clip", kind="video", channel="bot", storage_dir=storage, max_bytes=9)
    assert [p for p in storage.rglob("*") if p.is_file()] == []
    assert await Attachment.all().count() == 0


async def test_a_path_pointing_outside_storage_is_refused(db, tmp_path):
    attachment = await attachments.store_attachment(
        data=b"doc", kind="document", channel="web", storage_dir=tmp_path / "files", max_bytes=100
    )
    attachment.path = "../../etc/passwd"
    with pytest.raises(AttachmentError):
        attachments.attachment_path(tmp_path / "files", attachment)
