"""Business packs: `packs/<name>/pack.toml` (plus any `*.toml` beside it) declares roles with their permissions,
references, pipelines and demo data. `load_pack` seeds them idempotently; a broken pack is refused before anything
is written, with a message naming the file, the key and the problem.

Versions: loading the same version twice changes nothing. A newer version updates stages and transitions by key;
stages it drops are kept inactive so cards in flight keep working, and `moved_stages = {old = "new"}` moves those
cards on. An older version than the one loaded is refused.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from tortoise.transactions import in_transaction

from core import activity, guards
from core.clock import now
from core.fields import FIELD_TYPES
from core.identity import hash_password
from core.permissions import parse_grant
from models import Card, CardHistory, Pipeline, Reference, ReferenceRow, Role, RolePermission, Staff, Stage, Transition

PACKS_DIR = Path(__file__).resolve().parent.parent / "packs"
NOTIFY_TARGETS = ("owner", "assignee", "customer")


class PackError(Exception):
    pass


Titles = dict[str, str]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PackInfo(_Spec):
    key: str
    version: int = Field(1, ge=1)
    titles: Titles = {}


class RoleSpec(_Spec):
    key: str
    titles: Titles = {}
    admin: bool = False
    permissions: list[str] = []


class ReferenceRowSpec(_Spec):
    key: str
    titles: Titles = {}
    data: dict[str, Any] = {}


class ReferenceSpec(_Spec):
    key: str
    titles: Titles = {}
    rows: list[ReferenceRowSpec] = []


class FieldSpecIn(_Spec):
    key: str
    type: Literal[FIELD_TYPES]  # type: ignore[valid-type]
    titles: Titles = {}
    reference: str | None = None
    editable_in: list[str] = []
    editable_by: list[str] = []


class TaskAction(_Spec):
    titles: Titles
    role: str | None = None
    # "owner" / "assignee": the card's; else a role key.
    to: str | None = None
    due_hours: float | None = None
    due_field: str | None = None  # due when this date or datetime field of the card says, and moved with it
    follow_up_hours: float | None = None


class OnEnter(_Spec):
    task: TaskAction | None = None
    # "owner", "assignee", "customer" or "role:<key>"
    notify: list[str] = []


class StageSpec(_Spec):
    key: str
    titles: Titles = {}
    kind: Literal["open", "done", "lost"] = "open"
    acting_role: str | None = None
    sla_hours: float | None = None
    required_fields: list[str] = []
    on_enter: list[OnEnter] = []
    # A late task here: "remind" (marked overdue) or "reissue" (closed as expired, a new one opened marked
    # overdue, `supervisor_role` told).
    overdue: Literal["remind", "reissue"] = "remind"
    supervisor_role: str | None = None


class TransitionSpec(_Spec):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    key: str
    from_: str = Field(alias="from")
    to: str
    roles: list[str] = []
    reason: bool = False
    labels: Titles = {}
    # Rules the move must pass (core.guards): { field = "key" }, { balance = "zero" }, { check = "name" }.
    guards: list[dict[str, Any]] = []
    # Taken by the system as soon as the guards hold (after a line's decision or state changes).
    automatic: bool = False


class LineKindSpec(_Spec):
    """A kind of line on the pipeline's cards (core.lines): a part, a job, a quote item."""

    key: str
    titles: Titles = {}
    states: list[str] = []  # the first is a new line's
    fields: list[FieldSpecIn] = []
    decision: bool = True  # lines of this kind wait for the customer's decision
    editable_in: list[str] = []  # stage keys; empty: any open stage


class LinkKindSpec(_Spec):
    """Cards of this pipeline open linked cards in `to` (core.links): a work order of a parts order."""

    key: str
    to: str
    titles: Titles = {}  # the link as the new card names it ("work order of")
    back_titles: Titles = {}  # as the first card names it ("work order")
    copy_fields: list[str] = []  # keys both pipelines have, copied to the new card
    copy_lines: bool = False


class PipelineSpec(_Spec):
    key: str
    titles: Titles = {}
    number_prefix: str = ""
    distribution: Literal["none", "round_robin", "least_loaded"] = "none"
    distribution_role: str | None = None
    fields: list[FieldSpecIn] = []
    line_kinds: list[LineKindSpec] = []
    link_kinds: list[LinkKindSpec] = []
    stages: list[StageSpec]
    transitions: list[TransitionSpec] = []
    moved_stages: dict[str, str] = {}


class DemoStaff(_Spec):
    name: str
    roles: list[str] = []
    login: str | None = None
    password: str | None = None
    telegram_id: int | None = None
    locale: str | None = None
    phone: str | None = None

    @model_validator(mode="after")
    def _identified(self):
        if not self.login and not self.telegram_id:
            raise ValueError("needs a login or a telegram_id")
        return self


class DemoSpec(_Spec):
    staff: list[DemoStaff] = []
    customers: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []


class PackSpec(_Spec):
    pack: PackInfo
    roles: list[RoleSpec] = []
    references: list[ReferenceSpec] = []
    pipelines: list[PipelineSpec] = []
    demo: DemoSpec = DemoSpec()


# --- reading and validating --------------------------------------------------------------------


def _location(loc: tuple, data: dict) -> str:
    """A pydantic error location as the pack author wrote it: pipelines.sales.stages.new.kind (keys, not indexes)."""
    parts, node = [], data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            node = node[item]
            key = node.get("key") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}.{key}" if key else f"{parts[-1]}[{item}]"
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def _read_files(pack_dir: Path) -> tuple[dict, dict[str, Path]]:
    """pack.toml first, then other *.toml files: their top-level lists are appended, tables merged."""
    merged: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    files = [pack_dir / "pack.toml"] + sorted(p for p in pack_dir.glob("*.toml") if p.name != "pack.toml")
    for path in files:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise PackError(f"{path}: not valid TOML: {exc}") from None
        for key, value in data.items():
            origin.setdefault(key, path)
            if isinstance(value, list):
                merged.setdefault(key, []).extend(value)
                for item in value:
                    if isinstance(item, dict) and "key" in item:
                        origin[f"{key}.{item['key']}"] = path
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged, origin


def read_pack(name: str, packs_dir: Path = PACKS_DIR) -> PackSpec:
    pack_dir = packs_dir / name
    if not (pack_dir / "pack.toml").exists():
        known = sorted(p.name for p in packs_dir.iterdir() if (p / "pack.toml").exists())
        raise PackError(f"{pack_dir / 'pack.toml'}: no such pack; known packs: {', '.join(known)}")
    data, origin = _read_files(pack_dir)

    def where(location: str) -> Path:
        parts = location.split(".")
        for size in range(len(parts), 0, -1):
            if ".".join(parts[:size]) in origin:
                return origin[".".join(parts[:size])]
        return pack_dir / "pack.toml"

    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = _location(first["loc"], data)
        raise PackError(f"{where(location)}: {location}: {first['msg']}") from None
    problems = check_pack(spec)
    if problems:
        location, message = problems[0]
        raise PackError(f"{where(location)}: {location}: {message}")
    return spec


def _duplicates(keys: list[str]) -> list[str]:
    seen, repeated = set(), []
    for key in keys:
        if key in seen:
            repeated.append(key)
        seen.add(key)
    return repeated


def check_pack(spec: PackSpec) -> list[tuple[str, str]]:
    """Every rule a pack must keep, as (location, problem); empty when the pack is sound."""
    problems: list[tuple[str, str]] = []
    role_keys = {role.key for role in spec.roles}
    reference_keys = {ref.key for ref in spec.references}
    for key in _duplicates([role.key for role in spec.roles]):
        problems.append((f"roles.{key}", "role key used twice"))
    for role in spec.roles:
        for grant in role.permissions:
            try:
                parse_grant(grant)
            except ValueError as exc:
                problems.append((f"roles.{role.key}.permissions", str(exc)))
    for pipeline in spec.pipelines:
        problems += _check_pipeline(pipeline, role_keys, reference_keys)
    problems += _check_links(spec.pipelines)
    for index, person in enumerate(spec.demo.staff):
        for role_key in person.roles:
            if role_key not in role_keys:
                problems.append((f"demo.staff[{index}].roles", f"unknown role '{role_key}'"))
    return problems


def _check_links(pipelines: list[PipelineSpec]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    by_key = {pipeline.key: pipeline for pipeline in pipelines}
    for pipeline in pipelines:
        for key in _duplicates([kind.key for kind in pipeline.link_kinds]):
            problems.append((f"pipelines.{pipeline.key}.link_kinds.{key}", "link kind key used twice"))
        for kind in pipeline.link_kinds:
            where = f"pipelines.{pipeline.key}.link_kinds.{kind.key}"
            target = by_key.get(kind.to)
            if target is None:
                problems.append((f"{where}.to", f"unknown pipeline '{kind.to}' (a pipeline of this pack)"))
                continue
            here = {item.key: item.type for item in pipeline.fields}
            there = {item.key: item.type for item in target.fields}
            for name in kind.copy_fields:
                if name not in here or name not in there:
                    problems.append((f"{where}.copy_fields", f"'{name}' is not a field of both pipelines"))
                elif here[name] != there[name]:
                    problems.append((f"{where}.copy_fields", f"'{name}' is {here[name]} here, {there[name]} there"))
    return problems


def _check_pipeline(pipeline: PipelineSpec, role_keys: set[str], reference_keys: set[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    at = f"pipelines.{pipeline.key}"
    stage_keys = [stage.key for stage in pipeline.stages]
    field_keys = {item.key for item in pipeline.fields}
    for key in _duplicates(stage_keys):
        problems.append((f"{at}.stages.{key}", "stage key used twice"))
    for key in _duplicates([t.key for t in pipeline.transitions]):
        problems.append((f"{at}.transitions.{key}", "transition key used twice"))
    if not pipeline.stages:
        problems.append((f"{at}.stages", "a pipeline needs stages"))
        return problems
    if not any(stage.kind == "done" for stage in pipeline.stages):
        problems.append((f"{at}.stages", "no stage has kind = \"done\""))
    if pipeline.distribution != "none" and not pipeline.distribution_role:
        problems.append((f"{at}.distribution_role", "required when distribution is not \"none\""))
    if pipeline.distribution_role and pipeline.distribution_role not in role_keys:
        problems.append((f"{at}.distribution_role", f"unknown role '{pipeline.distribution_role}'"))
    for item in pipeline.fields:
        if item.type in ("choice", "link") and item.reference not in reference_keys:
            problems.append((f"{at}.fields.{item.key}.reference", f"unknown reference '{item.reference}'"))
        for stage_key in item.editable_in:
            if stage_key not in stage_keys:
                problems.append((f"{at}.fields.{item.key}.editable_in", f"unknown stage '{stage_key}'"))
        for role_key in item.editable_by:
            if role_key not in role_keys:
                problems.append((f"{at}.fields.{item.key}.editable_by", f"unknown role '{role_key}'"))
    for key in _duplicates([kind.key for kind in pipeline.line_kinds]):
        problems.append((f"{at}.line_kinds.{key}", "line kind key used twice"))
    for kind in pipeline.line_kinds:
        where = f"{at}.line_kinds.{kind.key}"
        for key in _duplicates(kind.states):
            problems.append((f"{where}.states", f"state '{key}' listed twice"))
        for stage_key in kind.editable_in:
            if stage_key not in stage_keys:
                problems.append((f"{where}.editable_in", f"unknown stage '{stage_key}'"))
        for item in kind.fields:
            if item.type in ("choice", "link") and item.reference not in reference_keys:
                problems.append((f"{where}.fields.{item.key}.reference", f"unknown reference '{item.reference}'"))
    for stage in pipeline.stages:
        where = f"{at}.stages.{stage.key}"
        if stage.acting_role and stage.acting_role not in role_keys:
            problems.append((f"{where}.acting_role", f"unknown role '{stage.acting_role}'"))
        if stage.supervisor_role and stage.supervisor_role not in role_keys:
            problems.append((f"{where}.supervisor_role", f"unknown role '{stage.supervisor_role}'"))
        date_fields = {item.key for item in pipeline.fields if item.type in ("date", "datetime")}
        for action in stage.on_enter:
            if action.task and action.task.due_field and action.task.due_field not in date_fields:
                problems.append((f"{where}.on_enter.task.due_field",
                                 f"no date or datetime field '{action.task.due_field}' in {at}.fields"))
        for name in stage.required_fields:
            if name not in field_keys:
                problems.append((f"{where}.required_fields", f"no field '{name}' in {at}.fields"))
        for action in stage.on_enter:
            if action.task:
                target = action.task.role or action.task.to
                if not target:
                    problems.append((f"{where}.on_enter.task", "needs role or to"))
                elif target not in role_keys and target not in ("owner", "assignee"):
                    problems.append((f"{where}.on_enter.task", f"unknown role '{target}'"))
            for target in action.notify:
                role = target.removeprefix("role:")
                if target not in NOTIFY_TARGETS and (not target.startswith("role:") or role not in role_keys):
                    problems.append((f"{where}.on_enter.notify", f"unknown target '{target}' "
                                     "(owner, assignee, customer or role:<key>)"))
    for transition in pipeline.transitions:
        where = f"{at}.transitions.{transition.key}"
        for end, stage_key in (("from", transition.from_), ("to", transition.to)):
            if stage_key not in stage_keys:
                problems.append((f"{where}.{end}", f"unknown stage '{stage_key}'"))
        for role_key in transition.roles:
            if role_key not in role_keys:
                problems.append((f"{where}.roles", f"unknown role '{role_key}'"))
        for guard in transition.guards:
            problems += [(f"{where}.guards", problem) for problem in guards.problems(guard, field_keys)]
        if transition.automatic and not transition.guards:
            problems.append((f"{where}.automatic", "an automatic transition needs guards saying when"))
    reachable = {stage_keys[0]}
    changed = True
    while changed:
        changed = False
        for transition in pipeline.transitions:
            if transition.from_ in reachable and transition.to not in reachable:
                reachable.add(transition.to)
                changed = True
    for stage_key in stage_keys:
        if stage_key not in reachable:
            problems.append((f"{at}.stages.{stage_key}", "no transition reaches this stage"))
    for old, new in pipeline.moved_stages.items():
        if new not in stage_keys:
            problems.append((f"{at}.moved_stages.{old}", f"unknown stage '{new}'"))
    return problems


def needs_reason(transition: TransitionSpec, stages: dict[str, StageSpec], order: dict[str, int]) -> bool:
    """Returns (back to an earlier stage) and rejections (into a lost stage) always need a reason."""
    if transition.reason or stages[transition.to].kind == "lost":
        return True
    return order[transition.to] < order[transition.from_]


# --- loading -----------------------------------------------------------------------------------


@dataclass
class LoadReport:
    version: int = 1
    previous_version: int | None = None
    roles_created: list[str] = field(default_factory=list)
    pipelines_created: list[str] = field(default_factory=list)
    pipelines_updated: list[str] = field(default_factory=list)
    cards_moved: int = 0
    staff_created: list[str] = field(default_factory=list)
    demo_created: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (name, login, password)
    personas: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (name, telegram id, roles)

    @property
    def changed(self) -> bool:
        return bool(self.roles_created or self.pipelines_created or self.pipelines_updated or self.staff_created
                    or self.cards_moved or self.demo_created)


async def load_pack(name: str, *, with_demo: bool, demo_records: bool = False, packs_dir: Path = PACKS_DIR,
                    region: str = "UA", currency: str = "UAH") -> LoadReport:
    """Idempotent: loading the same pack twice creates and changes nothing the second time.

    `with_demo` adds the demo people (the sandbox personas); `demo_records` also the demo customers and cards."""
    spec = read_pack(name, packs_dir)
    report = LoadReport(version=spec.pack.version)
    async with in_transaction():
        loaded = await Pipeline.filter(pack=spec.pack.key).order_by("-pack_version").first()
        report.previous_version = loaded.pack_version if loaded else None
        if loaded and loaded.pack_version > spec.pack.version:
            raise PackError(f"{packs_dir / name / 'pack.toml'}: pack.version: {spec.pack.version} is older than "
                            f"the loaded version {loaded.pack_version}")
        roles = await _load_roles(spec, report)
        await _load_references(spec)
        for pipeline in spec.pipelines:
            await _load_pipeline(spec, pipeline, report)
        if with_demo:
            await _load_demo_staff(spec, roles, report)
    if with_demo and demo_records and (spec.demo.customers or spec.demo.cards):
        from core.demo import load_demo_records  # the demo records go through the use cases, after the pack exists

        report.demo_created = await load_demo_records(spec, region, currency)
    return report


async def _load_roles(spec: PackSpec, report: LoadReport) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for role_spec in spec.roles:
        role, created = await Role.get_or_create(
            key=role_spec.key, defaults={"titles": role_spec.titles, "is_admin": role_spec.admin}
        )
        if not created and (role.titles != role_spec.titles or role.is_admin != role_spec.admin):
            role.titles = role_spec.titles
            role.is_admin = role_spec.admin
            await role.save()
        if created:
            report.roles_created.append(role.key)
        grants = dict(parse_grant(grant) for grant in role_spec.permissions)
        existing = {row.action: row for row in await RolePermission.filter(role=role)}
        for action, scope in grants.items():
            row = existing.get(action)
            if row is None:
                await RolePermission.create(role=role, action=action, scope=scope)
            elif row.scope != scope:
                row.scope = scope
                await row.save()
        # A grant the pack no longer lists is revoked only when the pack owns the role's grants (created them).
        stale = [row.id for action, row in existing.items() if action not in grants]
        if stale and spec.pack.version > (report.previous_version or 0):
            await RolePermission.filter(id__in=stale).delete()
        roles[role.key] = role
    return roles


async def _load_references(spec: PackSpec) -> None:
    for ref_spec in spec.references:
        reference, _ = await Reference.get_or_create(key=ref_spec.key, defaults={"titles": ref_spec.titles})
        if reference.titles != ref_spec.titles:
            reference.titles = ref_spec.titles
            await reference.save()
        for position, row_spec in enumerate(ref_spec.rows):
            row = await ReferenceRow.get_or_none(reference=reference, key=row_spec.key)
            values = {"titles": row_spec.titles, "data": row_spec.data, "position": position}
            if row is None:
                await ReferenceRow.create(reference=reference, key=row_spec.key, **values)
            elif any(getattr(row, name) != value for name, value in values.items()):
                await ReferenceRow.filter(id=row.id).update(**values)


async def _load_pipeline(spec: PackSpec, pipeline_spec: PipelineSpec, report: LoadReport) -> None:
    pipeline = await Pipeline.get_or_none(key=pipeline_spec.key)
    values = {
        "pack": spec.pack.key,
        "pack_version": spec.pack.version,
        "titles": pipeline_spec.titles,
        "number_prefix": pipeline_spec.number_prefix,
        "field_schema": [item.model_dump() for item in pipeline_spec.fields],
        "line_kinds": [item.model_dump() for item in pipeline_spec.line_kinds],
        "link_kinds": [item.model_dump() for item in pipeline_spec.link_kinds],
        "distribution": pipeline_spec.distribution,
        "distribution_role": pipeline_spec.distribution_role,
        "active": True,
    }
    if pipeline is None:
        pipeline = await Pipeline.create(key=pipeline_spec.key, **values)
        report.pipelines_created.append(pipeline.key)
    elif pipeline.pack_version == spec.pack.version:
        return
    else:
        await Pipeline.filter(id=pipeline.id).update(**values)
        report.pipelines_updated.append(pipeline.key)

    stage_specs = {stage.key: stage for stage in pipeline_spec.stages}
    order = {stage.key: position for position, stage in enumerate(pipeline_spec.stages)}
    stages = {stage.key: stage for stage in await Stage.filter(pipeline=pipeline)}
    for position, stage_spec in enumerate(pipeline_spec.stages):
        values = {
            "titles": stage_spec.titles,
            "kind": stage_spec.kind,
            "position": position,
            "acting_role": stage_spec.acting_role,
            "sla_hours": stage_spec.sla_hours,
            "required_fields": stage_spec.required_fields,
            "on_enter": [action.model_dump(exclude_none=True) for action in stage_spec.on_enter],
            "overdue_policy": stage_spec.overdue,
            "supervisor_role": stage_spec.supervisor_role,
            "active": True,
        }
        if stage_spec.key in stages:
            await Stage.filter(id=stages[stage_spec.key].id).update(**values)
        else:
            stages[stage_spec.key] = await Stage.create(pipeline=pipeline, key=stage_spec.key, **values)
    dropped = [stage for key, stage in stages.items() if key not in stage_specs]
    for stage in dropped:
        await Stage.filter(id=stage.id).update(active=False)

    transitions = {t.key: t for t in await Transition.filter(pipeline=pipeline)}
    for position, t_spec in enumerate(pipeline_spec.transitions):
        values = {
            "from_stage_id": stages[t_spec.from_].id,
            "to_stage_id": stages[t_spec.to].id,
            "roles": t_spec.roles,
            "reason_required": needs_reason(t_spec, stage_specs, order),
            "labels": t_spec.labels,
            "guards": t_spec.guards,
            "automatic": t_spec.automatic,
            "position": position,
            "active": True,
        }
        if t_spec.key in transitions:
            await Transition.filter(id=transitions[t_spec.key].id).update(**values)
        else:
            await Transition.create(pipeline=pipeline, key=t_spec.key, **values)
    kept = {t.key for t in pipeline_spec.transitions}
    await Transition.filter(pipeline=pipeline, key__not_in=list(kept) or [""]).update(active=False)

    for old_key, new_key in pipeline_spec.moved_stages.items():
        old = stages.get(old_key)
        if old is None or old_key in stage_specs:
            continue
        target = stages[new_key]
        for card in await Card.filter(stage_id=old.id):
            await Card.filter(id=card.id).update(stage_id=target.id, version=card.version + 1, stage_entered_at=now())
            await CardHistory.create(card_id=card.id, from_stage_id=old.id, to_stage_id=target.id,
                                     transition_key=None, channel="system",
                                     reason=f"pack {spec.pack.key} v{spec.pack.version}")
            report.cards_moved += 1
    await activity.record("pack.load", channel="system", object_type="pipeline", object_id=pipeline.key,
                          before={"version": report.previous_version}, after={"version": spec.pack.version})


async def _load_demo_staff(spec: PackSpec, roles: dict[str, Role], report: LoadReport) -> None:
    for person in spec.demo.staff:
        lookup = {"login": person.login} if person.login else {"telegram_id": person.telegram_id}
        staff = await Staff.get_or_none(**lookup)
        if staff is None:
            staff = await Staff.create(
                name=person.name,
                login=person.login,
                password_hash=hash_password(person.password) if person.password else None,
                telegram_id=person.telegram_id,
                locale=person.locale,
                phone=person.phone,
            )
            report.staff_created.append(staff.name)
            await activity.record("staff.demo", channel="system", object_type="staff", object_id=staff.id)
        await staff.roles.add(*[roles[key] for key in person.roles])
        if person.login and person.password:
            report.logins.append((staff.name, person.login, person.password))
        if person.telegram_id:
            report.personas.append((staff.name, person.telegram_id, person.roles))
