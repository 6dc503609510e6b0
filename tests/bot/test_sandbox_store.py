"""The sandbox plays Telegram: what a user sent survives the process dying before the bot fetched it."""

from bot import sandbox_store
from bot.sandbox.state import SandboxState


def test_personas_chats_and_undelivered_updates_survive_a_restart(tmp_path):
    path = tmp_path / "sandbox.pickle"
    before = SandboxState()
    olga = before.add_user("Olga", language_code="uk", phone="+380501234567")
    before.user_text(olga.id, "/start")
    sandbox_store.save(before, path)
    assert path.stat().st_mode & 0o777 == 0o600  # the chats hold admins' one-time login links

    after = SandboxState()
    assert sandbox_store.load(after, path)
    assert after.user(olga.id).first_name == "Olga"
    assert [update["message"]["text"] for update in after.pending_updates] == ["/start"]
    assert after.next_update_id == before.next_update_id
    after.user_text(olga.id, "again")  # the chat goes on where it was
    assert after.pending_updates[-1]["update_id"] == before.next_update_id


def test_an_unreadable_snapshot_starts_an_empty_sandbox(tmp_path):
    path = tmp_path / "sandbox.pickle"
    path.write_bytes(b"not a pickle")
    state = SandboxState()
    assert not sandbox_store.load(state, path)
    assert state.users == {}
