"""Packs: a sound pack loads idempotently, a newer version migrates cards in flight, a broken one is refused
with a message naming the file, the key and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.packs import PACKS_DIR, PackError, load_pack, read_pack
from models import Card, CardHistory, Pipeline, Reference, ReferenceRow, Role, RolePermission, Stage, Transition


def copy_generic(tmp_path: Path) -> Path:
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR / "generic", packs / "generic")
    return packs


def edit(packs: Path, old: str, new: str, file: str = "pack.toml") -> None:
    path = packs / "generic" / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def table_counts() -> dict[str, int]:
    models = (Role, RolePermission, Reference, ReferenceRow, Pipeline, Stage, Transition)
    return {model.__name__: await model.all().count() for model in models}


async def test_generic_pack_loads_and_loading_twice_changes_nothing(db):
    first = await load_pack("generic", with_demo=True)
    assert first.changed and first.pipelines_created == ["sales"]
    counts = await table_counts()
    second = await load_pack("generic", with_demo=True)
    assert not second.changed
    assert await table_counts() == counts
    sales = await Pipeline.get(key="sales")
    stages = await Stage.filter(pipeline=sales).order_by("position").values_list("key", flat=True)
    assert stages == ["new", "contacted", "proposal", "won", "lost"]
    manager = await Role.get(key="manager")
    assert await RolePermission.get(role=manager, action="card.view").values_list("scope", flat=True) == "own"


async def test_returns_and_rejections_always_need_a_reason(db):
    await load_pack("generic", with_demo=False)
    needs = dict(await Transition.all().values_list("key", "reason_required"))
    assert needs["rework"] is True  # back to an earlier stage
    assert needs["reject_new"] is True and needs["reject_proposal"] is True  # into a lost stage
    assert needs["contact"] is False and needs["win"] is False


BROKEN = [
    ('roles = ["head"]\nlabels = { ru = "Сделка', 'roles = ["boss"]\nlabels = { ru = "Сделка',
     "pipelines.sales.transitions.win.roles: unknown role 'boss'"),
    ('from = "contacted"\nto = "proposal"', 'from = "new"\nto = "won"',
     "pipelines.sales.stages.proposal: no transition reaches this stage"),
    ('key = "won"\nkind = "done"', 'key = "won"\nkind = "open"',
     'pipelines.sales.stages: no stage has kind = "done"'),
    ('required_fields = ["budget"]', 'required_fields = ["budjet"]',
     "pipelines.sales.stages.contacted.required_fields: no field 'budjet' in pipelines.sales.fields"),
    ('key = "lost"\nkind = "lost"', 'key = "lost"\nkind = "gone"',
     "pipelines.sales.stages.lost.kind: Input should be 'open', 'done' or 'lost'"),
    ('"card.view:own", "card.create"', '"card.view:own", "card.fly"',
     "roles.manager.permissions: unknown action 'card.fly'"),
    ('"customer.merge", "ledger.post"', '"customer.merge:own", "ledger.post"',
     "roles.head.permissions: action 'customer.merge' has no owner, so it cannot be granted with scope 'own'"),
    ('reference = "lead_sources"', 'reference = "lead_sorces"',
     "pipelines.sales.fields.source.reference: unknown reference 'lead_sorces'"),
    ('distribution_role = "manager"', 'distribution_role = "seller"',
     "pipelines.sales.distribution_role: unknown role 'seller'"),
    ('  { notify = ["role:head"] },\n  { task', '  { notify = ["role:cfo"] },\n  { task',
     "pipelines.sales.stages.proposal.on_enter.notify: unknown target 'role:cfo'"),
    ('supervisor_role = "head"', 'supervisor_role = "cfo"',
     "pipelines.sales.stages.proposal.supervisor_role: unknown role 'cfo'"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN, ids=[case[2].split(":")[0] for case in BROKEN])
def test_a_broken_pack_is_refused_naming_file_key_and_problem(tmp_path, old, new, message):
    packs = copy_generic(tmp_path)
    edit(packs, old, new)
    with pytest.raises(PackError) as refused:
        read_pack("generic", packs)
    assert str(refused.value).startswith(f"{packs / 'generic' / 'pack.toml'}: ")
    assert message in str(refused.value)


def test_a_problem_in_a_second_file_names_that_file(tmp_path):
    packs = copy_generic(tmp_path)
    (packs / "generic" / "extra.toml").write_text(
        '[[roles]]\nkey = "driver"\npermissions = ["card.drive"]\n', encoding="utf-8")
    with pytest.raises(PackError) as refused:
        read_pack("generic", packs)
    assert str(refused.value) == f"{packs / 'generic' / 'extra.toml'}: roles.driver.permissions: " \
                                 "unknown action 'card.drive'"


def test_invalid_toml_and_unknown_pack(tmp_path):
    packs = copy_generic(tmp_path)
    edit(packs, 'key = "generic"', 'key = "generic')
    with pytest.raises(PackError, match="pack.toml: not valid TOML"):
        read_pack("generic", packs)
    with pytest.raises(PackError, match="no such pack; known packs: generic"):
        read_pack("nope", packs)


async def test_a_newer_version_moves_cards_out_of_a_dropped_stage(db, tmp_path):
    packs = copy_generic(tmp_path)
    await load_pack("generic", with_demo=False, packs_dir=packs)
    sales = await Pipeline.get(key="sales")
    proposal = await Stage.get(pipeline=sales, key="proposal")
    card = await Card.create(pipeline=sales, number=1, stage=proposal, title="in flight")

    # v3 renames "proposal" to "offer"
    for file_edit in [('version = 2', 'version = 3'), ('key = "proposal"\ntitles', 'key = "offer"\ntitles')]:
        edit(packs, *file_edit)
    text = (packs / "generic" / "pack.toml").read_text(encoding="utf-8")
    text = text.replace('from = "proposal"', 'from = "offer"').replace('to = "proposal"', 'to = "offer"')
    text = text.replace('editable_in = ["new", "contacted", "proposal"]', 'editable_in = ["new", "contacted", "offer"]')
    text = text.replace('editable_in = ["proposal"]', 'editable_in = ["offer"]')
    text = text.replace('distribution_role = "manager"\n',
                        'distribution_role = "manager"\nmoved_stages = { proposal = "offer" }\n')
    (packs / "generic" / "pack.toml").write_text(text, encoding="utf-8")

    report = await load_pack("generic", with_demo=False, packs_dir=packs)
    assert report.previous_version == 2 and report.pipelines_updated == ["sales"] and report.cards_moved == 1
    await card.refresh_from_db()
    offer = await Stage.get(pipeline=sales, key="offer")
    assert card.stage_id == offer.id and card.version == 2
    assert await CardHistory.filter(card=card, from_stage=proposal, to_stage=offer, channel="system").exists()
    assert (await Stage.get(id=proposal.id)).active is False
    assert not await Transition.filter(pipeline=sales, active=True, from_stage=proposal).exists()

    again = await load_pack("generic", with_demo=False, packs_dir=packs)
    assert not again.changed

    edit(packs, 'version = 3', 'version = 2')
    with pytest.raises(PackError, match="pack.version: 2 is older than the loaded version 3"):
        await load_pack("generic", with_demo=False, packs_dir=packs)


async def test_demo_records_go_through_the_use_cases_once(db):
    first = await load_pack("generic", with_demo=True, demo_records=True)
    assert first.demo_created == 6
    cards = {card.external_id: card for card in await Card.all().select_related("stage", "pipeline")}
    assert cards["demo:kolosok-site"].stage.key == "contacted"
    assert cards["demo:smith-bot"].stage.key == "proposal"
    again = await load_pack("generic", with_demo=True, demo_records=True)
    assert again.demo_created == 0 and not again.changed
    assert await Card.all().count() == 3
