from tortoise import fields
from tortoise.models import Model


class Role(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)
    # Titles per locale: {"ru": "...", "uk": "...", "en": "..."}
    titles = fields.JSONField(default=dict)
    is_admin = fields.BooleanField(default=False)

    class Meta:
        table = "role"

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or self.key


class Staff(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=32, null=True)
    telegram_id = fields.BigIntField(null=True, unique=True)
    locale = fields.CharField(max_length=8, null=True)
    active = fields.BooleanField(default=True)
    login = fields.CharField(max_length=100, null=True, unique=True)
    password_hash = fields.CharField(max_length=200, null=True)
    roles: fields.ManyToManyRelation[Role] = fields.ManyToManyField(
        "models.Role", related_name="staff", through="staff_role"
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff"


class Invite(Model):
    """A one-time deep link `/start inv_<token>` that binds a Telegram account to a staff record."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    role = fields.ForeignKeyField("models.Role", related_name="invites")
    staff = fields.ForeignKeyField("models.Staff", related_name="invites", null=True)
    name = fields.CharField(max_length=200, default="")
    created_by = fields.ForeignKeyField("models.Staff", related_name="created_invites", null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by_telegram_id = fields.BigIntField(null=True)

    class Meta:
        table = "invite"


class LoginLink(Model):
    """A one-time web panel login link the bot sends (`/web`)."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    staff = fields.ForeignKeyField("models.Staff", related_name="login_links")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "login_link"


class WebLoginFailure(Model):
    """Failed password logins, counted per login name and per client address for lockout."""

    id = fields.IntField(primary_key=True)
    login = fields.CharField(max_length=100, db_index=True)
    address = fields.CharField(max_length=64, db_index=True)
    at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "web_login_failure"


class DirectoryVersion(Model):
    """One row, bumped by database triggers on every change to staff, roles, role grants or who has which role,
    whatever code made it: each process caches who is who and reloads when this number moves."""

    id = fields.IntField(primary_key=True, generated=False)
    version = fields.BigIntField(default=0)

    class Meta:
        table = "directory_version"
