"""Who is who is cached per process, and every change is seen at the person's next update."""

from models import Role, Staff

BORIS = 1000002  # the demo manager, who speaks Ukrainian


def set_commands_calls(estafeta) -> int:
    return sum(call.method == "setMyCommands" for call in estafeta.sandbox.calls)


async def test_a_role_removed_is_gone_from_the_menu_at_the_next_update(estafeta, sandbox):
    boris = await sandbox.existing_user(BORIS)
    staff = await Staff.get(telegram_id=BORIS)
    admin = await Role.get(key="admin")
    await staff.roles.add(admin)  # as the panel would: another code path, even another process
    assert "👤 Запросити співробітника" in (await boris.send("/menu"))[-1].buttons

    await staff.roles.remove(admin)
    assert "👤 Запросити співробітника" not in (await boris.send("/menu"))[-1].buttons

    await Staff.filter(id=staff.id).update(active=False)
    assert "запрошення" in (await boris.send("/menu"))[-1].text  # a stranger now: asked for an invite


async def test_the_command_menu_is_set_only_when_it_changes(estafeta, sandbox):
    boris = await sandbox.existing_user(BORIS)
    await boris.send("/menu")
    first = set_commands_calls(estafeta)
    for _ in range(3):
        await boris.send("/menu")
    assert set_commands_calls(estafeta) == first  # the same list: not set again

    staff = await Staff.get(telegram_id=BORIS)
    await staff.roles.add(await Role.get(key="admin"))
    await boris.send("/menu")
    assert set_commands_calls(estafeta) == first + 1
    assert "invite" in [c["command"] for c in estafeta.sandbox.commands[("chat", BORIS, "")]]
