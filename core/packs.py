"""Business packs (packs/<name>/pack.toml). This part seeds roles and demo staff; pipelines come later."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tortoise.transactions import in_transaction

from core import activity
from core.identity import hash_password
from models import Role, Staff

PACKS_DIR = Path(__file__).resolve().parent.parent / "packs"


class PackError(Exception):
    pass


@dataclass
class LoadReport:
    roles_created: list[str] = field(default_factory=list)
    staff_created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (name, login, password)
    personas: list[tuple[str, int, list[str]]] = field(default_factory=list)  # (name, telegram id, roles)


def read_pack(name: str, packs_dir: Path = PACKS_DIR) -> dict:
    path = packs_dir / name / "pack.toml"
    if not path.exists():
        known = sorted(p.name for p in packs_dir.iterdir() if (p / "pack.toml").exists())
        raise PackError(f"{path}: no such pack; known packs: {', '.join(known)}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not valid TOML: {exc}") from None
    role_keys = set()
    for index, role in enumerate(data.get("roles", [])):
        if not role.get("key"):
            raise PackError(f"{path}: roles[{index}].key: required")
        role_keys.add(role["key"])
    for index, person in enumerate(data.get("demo", {}).get("staff", [])):
        for role_key in person.get("roles", []):
            if role_key not in role_keys:
                raise PackError(f"{path}: demo.staff[{index}].roles: unknown role '{role_key}'")
    return data


async def load_pack(name: str, *, with_demo: bool, packs_dir: Path = PACKS_DIR) -> LoadReport:
    """Idempotent: loading the same pack twice creates nothing the second time."""
    data = read_pack(name, packs_dir)
    report = LoadReport()
    async with in_transaction():
        roles: dict[str, Role] = {}
        for spec in data.get("roles", []):
            role, created = await Role.get_or_create(
                key=spec["key"], defaults={"titles": spec.get("titles", {}), "is_admin": spec.get("admin", False)}
            )
            if not created and (role.titles != spec.get("titles", {}) or role.is_admin != spec.get("admin", False)):
                role.titles = spec.get("titles", {})
                role.is_admin = spec.get("admin", False)
                await role.save()
            if created:
                report.roles_created.append(role.key)
            roles[role.key] = role
        for spec in data.get("demo", {}).get("staff", []) if with_demo else []:
            lookup = {"login": spec["login"]} if spec.get("login") else {"telegram_id": spec["telegram_id"]}
            staff = await Staff.get_or_none(**lookup)
            if staff is None:
                staff = await Staff.create(
                    name=spec["name"],
                    login=spec.get("login"),
                    password_hash=hash_password(spec["password"]) if spec.get("password") else None,
                    telegram_id=spec.get("telegram_id"),
                    locale=spec.get("locale"),
                    phone=spec.get("phone"),
                )
                report.staff_created.append(staff.name)
                await activity.record("staff.demo", channel="system", object_type="staff", object_id=staff.id)
            await staff.roles.add(*[roles[key] for key in spec.get("roles", [])])
            if spec.get("login") and spec.get("password"):
                report.logins.append((staff.name, spec["login"], spec["password"]))
            if spec.get("telegram_id"):
                report.personas.append((staff.name, spec["telegram_id"], spec.get("roles", [])))
    return report
