"""Pipelines, their stages and transitions as this process last read them.

They are data (a pack loads them, an admin edits them) but change rarely, while every card shown or moved needs
them. Each process keeps them in memory and reloads all three tables when `directory_version` moves: database
triggers bump it on any change to a stage, a transition or a pipeline's definition (a card number or a
round-robin pick taken from a pipeline is not a change of definition), as they do for staff and roles
(core.directory). A bot update reads that number in its first round trip; elsewhere it is one small query.

The objects handed out are shared: read them, never change them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from core import directory
from models import Pipeline, Stage, Transition


@dataclass
class Definitions:
    version: int
    pipelines: dict[int, Pipeline] = field(default_factory=dict)
    pipeline_by_key: dict[str, Pipeline] = field(default_factory=dict)
    stages: dict[int, Stage] = field(default_factory=dict)
    moves_from: dict[int, list[Transition]] = field(default_factory=dict)  # active, in button order, by stage id
    transition_by_key: dict[tuple[int, str], Transition] = field(default_factory=dict)  # active, (pipeline id, key)

    def open_stage_ids(self) -> list[int]:
        return [stage.id for stage in self.stages.values() if stage.kind == "open"]


_loaded: list[Definitions] = []


async def current(*, stage_ids: Iterable[int] = ()) -> Definitions:
    """`stage_ids`: stages the caller has just read off cards. One made after this update read the version (by
    another process, meanwhile) is not known yet; then they are read again."""
    known = await _at(await directory.version_now())
    if all(stage_id in known.stages for stage_id in stage_ids):
        return known
    return await _at(await directory.version_now(fresh=True))


async def _at(version: int) -> Definitions:
    if _loaded and _loaded[0].version == version:
        return _loaded[0]
    loaded = Definitions(version)
    for pipeline in await Pipeline.all():
        loaded.pipelines[pipeline.id] = loaded.pipeline_by_key[pipeline.key] = pipeline
    for stage in await Stage.all():
        loaded.stages[stage.id] = stage
    moves: defaultdict[int, list[Transition]] = defaultdict(list)
    for transition in await Transition.filter(active=True).order_by("position", "id"):
        moves[transition.from_stage_id].append(transition)
        loaded.transition_by_key[(transition.pipeline_id, transition.key)] = transition
    loaded.moves_from = dict(moves)
    _loaded[:] = [loaded]
    return loaded


def forget() -> None:
    _loaded.clear()
