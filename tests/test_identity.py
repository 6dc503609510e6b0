from datetime import timedelta

import pytest

from core import identity, staff_admin
from core.clock import now
from core.identity import IdentityError
from core.packs import load_pack
from models import Activity, Invite, Role, RolePermission, Staff


async def test_invite_binds_once_and_expires(db):
    await load_pack("generic", with_demo=False)
    issued = await identity.create_invite("manager", ttl_hours=1, name="Olga")
    staff = await identity.accept_invite(issued.start_parameter, telegram_id=555, name="tg name", locale="uk")
    assert staff.name == "Olga" and staff.telegram_id == 555
    assert [r.key for r in await identity.staff_roles(staff)] == ["manager"]
    with pytest.raises(IdentityError) as used:
        await identity.accept_invite(issued.token, telegram_id=556, name="x", locale=None)
    assert used.value.reason == "invite_used"

    late = await identity.create_invite("manager", ttl_hours=1)
    await Invite.filter(id=late.invite.id).update(expires_at=now() - timedelta(seconds=1))
    with pytest.raises(IdentityError) as expired:
        await identity.accept_invite(late.token, telegram_id=557, name="x", locale=None)
    assert expired.value.reason == "invite_expired"
    with pytest.raises(IdentityError) as unknown:
        await identity.accept_invite("inv_nonsense", telegram_id=558, name="x", locale=None)
    assert unknown.value.reason == "invite_unknown"
    assert await Staff.filter(telegram_id__in=[556, 557, 558]).count() == 0
    assert await Activity.filter(action="invite.accept").count() == 1


async def test_pack_load_is_idempotent(db):
    first = await load_pack("generic", with_demo=True)
    second = await load_pack("generic", with_demo=True)
    assert first.roles_created and first.staff_created
    assert second.roles_created == [] and second.staff_created == []
    assert await Staff.all().count() == len(first.staff_created)


async def test_password_login_and_lockout(db):
    await load_pack("generic", with_demo=False)
    await identity.create_admin("Boss", "correct horse", "Boss")
    staff = await identity.password_login("boss", "correct horse", address="1.1.1.1", max_failures=3,
                                          lockout_minutes=15)
    assert staff.login == "boss"
    for _ in range(3):
        with pytest.raises(IdentityError, match="login_failed"):
            await identity.password_login("boss", "wrong", address="1.1.1.1", max_failures=3, lockout_minutes=15)
    with pytest.raises(IdentityError, match="login_locked"):
        await identity.password_login("boss", "correct horse", address="1.1.1.1", max_failures=3,
                                      lockout_minutes=15)


async def test_login_link_is_one_time(db):
    await load_pack("generic", with_demo=False)
    admin = await identity.create_admin("root", "12345678", "Root")
    token = await identity.create_login_link(admin)
    assert (await identity.consume_login_link(token)).id == admin.id
    with pytest.raises(IdentityError, match="link_used"):
        await identity.consume_login_link(token)


async def test_managing_staff_is_the_staff_manage_grant_and_never_a_way_to_admin(db):
    """One rule (core.identity.may_manage_staff) for the bot's Invite entry and the panel's staff pages: a role
    granted `staff.manage` may invite, list and (de)activate, but only an admin invites to or deactivates an admin."""
    await load_pack("generic", with_demo=False)
    admin = await identity.create_admin("root", "12345678", "Root")
    hr_role = await Role.create(key="hr", titles={"en": "HR"})
    await RolePermission.create(role=hr_role, action="staff.manage", scope="all")
    hr = await Staff.create(name="Hanna HR")
    await hr.roles.add(hr_role)
    manager = await Staff.create(name="Max")
    await manager.roles.add(await Role.get(key="manager"))

    assert await identity.may_manage_staff(hr) and await identity.may_manage_staff(admin)
    assert not await identity.may_manage_staff(manager)
    assert (await identity.create_invite("manager", ttl_hours=1, created_by=hr)).invite.role_id is not None
    for refused in (lambda: identity.create_invite("admin", ttl_hours=1, created_by=hr),
                    lambda: identity.create_invite("manager", ttl_hours=1, created_by=manager),
                    lambda: staff_admin.set_staff_active(hr, admin.id, False, channel="web"),
                    lambda: staff_admin.staff_directory(manager)):
        with pytest.raises(IdentityError) as stopped:
            await refused()
        assert stopped.value.reason == "forbidden"
    assert "admin" not in [role.key for role in await staff_admin.assignable_roles(hr)]
    assert "admin" in [role.key for role in await staff_admin.assignable_roles(admin)]
    assert not (await staff_admin.set_staff_active(hr, manager.id, False, channel="web")).active
    assert await Invite.filter(role__key="admin").count() == 0
