"""Who is who is cached per process, and every change is seen at the person's next update."""

from core import directory
from models import Role, Staff, Stage, Transition
from tests.bot.test_cards_flow import open_from_my_cards
from tests.bot.test_forged_callbacks import make_card

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


async def test_a_pipeline_changed_elsewhere_is_seen_at_the_next_press(estafeta, sandbox):
    """Stages and transitions are cached per process too (core.definitions); a change made by other code, as an
    admin's edit or a pack load would, shows at the next update. A card number taken is not a change."""
    card = await make_card(BORIS, "Вікна")
    boris = await sandbox.existing_user(BORIS)
    view = await open_from_my_cards(boris, card)
    assert "Зв’язався" in view[-1].buttons

    await Transition.filter(pipeline_id=card.pipeline_id, key="contact").update(labels={"uk": "Подзвонив"})
    await Stage.filter(id=card.stage_id).update(titles={"uk": "Свіжий лід", "en": "Fresh lead"})
    view = await open_from_my_cards(boris, card)
    assert "Етап: Свіжий лід" in view[-1].text
    assert "Подзвонив" in view[-1].buttons and "Зв’язався" not in view[-1].buttons

    await Transition.filter(pipeline_id=card.pipeline_id, key="contact").update(active=False)
    assert (await open_from_my_cards(boris, card))[-1].buttons[:2] == ["Відмова", "💬 Коментар"]


async def test_card_numbers_taken_leave_the_cached_definitions_alone(estafeta):
    await make_card(BORIS, "one")
    version = await directory.version_now()
    await make_card(BORIS, "two")  # moves the pipeline's card counter
    assert await directory.version_now() == version
    await Stage.filter(key="new").update(sla_hours=5)
    assert await directory.version_now() > version
