"""`estafeta` console command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import getpass
import logging
import signal
import sys

from core import modules
from core.config import ConfigError, Settings, load_settings
from estafeta import imports_cli

BANNER_RULE = "─" * 64
log = logging.getLogger("estafeta")


def _print_demo_hint(settings: Settings, base_url: str, sandbox_token: str) -> None:
    """The start banner. Demo logins and the sandbox token only in sandbox mode: that is the local demo; a real
    deployment must not advertise the pack's well-known passwords."""
    from core.packs import read_pack

    print(BANNER_RULE)
    print(f" Estafeta is running ({settings.telegram.mode} mode, database {settings.database.url})")
    print(f"   Web panel     {base_url}/")
    if settings.sandbox:
        print(f"   Sandbox chat  {base_url}/sandbox/   (chat with the bot as any persona; for panel admins)")
        print(f"   Persona API   {base_url}/sandbox/api/users   (a panel admin's session, or the token:)")
        print(f"   Sandbox token {sandbox_token}")
        print(f"                 curl -H 'Authorization: Bearer {sandbox_token}' {base_url}/sandbox/api/users")
    print(f"   Health        {base_url}/healthz")
    for pack in modules.enabled_packs(settings) if settings.sandbox else ():
        demo = read_pack(pack).demo.staff
        for person in demo:
            if person.login:
                print(f"   Login         {person.login} / {person.password}   ({person.name})")
        personas = [f"{p.name} ({', '.join(p.roles)})" for p in demo if p.telegram_id]
        if personas:
            print(f"   Personas      {'; '.join(personas)}")
    print(" Stop with Ctrl+C")
    print(BANNER_RULE, flush=True)


def _warn_if_sandbox_is_public(settings: Settings) -> None:
    """The sandbox is a demo with well-known logins: on a reachable address it must not go unnoticed."""
    if settings.sandbox and not settings.listens_on_loopback:
        where = settings.web.host or "every interface"
        log.warning("sandbox mode is listening on %s, not on 127.0.0.1 only", where)
        print(f"estafeta: WARNING: sandbox mode is listening on {where}, not on 127.0.0.1: anyone who reaches "
              "this port can try the demo logins. For a real deployment set telegram.mode to polling or webhook; "
              "for the demo set web.host = \"127.0.0.1\".", file=sys.stderr, flush=True)


async def _serve(settings: Settings, parts: frozenset[str]) -> None:
    from estafeta.app import Estafeta

    estafeta = Estafeta(settings, parts=parts)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    base_url = await estafeta.start()
    # What start-up built (aiogram's and pydantic's types, the ORM, the routers) lives as long as the process. Left
    # to the collector, each full collection walks all of it again: 170-200 ms with the loop stopped, every few
    # seconds under load (manager mix p99 at a steady 100 updates/s: 190 ms before, 25 ms after; bench/updates.py).
    gc.freeze()
    try:
        if base_url:
            _print_demo_hint(settings, base_url, estafeta.sandbox_token)
            _warn_if_sandbox_is_public(settings)
        await stop.wait()
    finally:
        await estafeta.stop()


async def _migrate(settings: Settings) -> None:
    from core.db import migrate

    await migrate(settings.database.url)
    print(f"Database is up to date: {settings.database.url}")


async def _with_db(settings: Settings, work):
    from core.db import close_db, open_db

    await open_db(settings)
    try:
        return await work()
    finally:
        await close_db()


def _print_load_report(pack: str, report) -> None:
    if not report.changed:
        print(f"Pack '{pack}' v{report.version}: already loaded, nothing to change")
        return
    print(f"Pack '{pack}' v{report.version}: loaded"
          + (f" over v{report.previous_version}" if report.previous_version else "")
          + f" ({len(report.roles_created)} roles, {len(report.pipelines_created)} pipelines created,"
          f" {len(report.pipelines_updated)} updated, {report.cards_moved} cards moved,"
          f" {len(report.staff_created)} staff, {report.demo_created} demo records)")


async def _load_packs(settings: Settings, packs: list[str], with_demo: bool) -> None:
    from core.packs import PackError, load_pack

    async def work():
        for pack in packs:
            try:
                report = await load_pack(pack, with_demo=with_demo, demo_records=with_demo,
                                         region=settings.i18n.default_region, currency=settings.crm.currency)
            except PackError as error:
                raise SystemExit(f"estafeta: pack refused: {error}") from None
            _print_load_report(pack, report)
            for name, login, password in report.logins:
                if settings.sandbox:
                    print(f"  web login: {login} / {password}  ({name})")
                else:  # a real deployment: the pack's demo password is public, so say how to replace it
                    print(f"  web login: {login} ({name}) has the pack's public demo password; change it "
                          f"(an admin's: estafeta createadmin {login})")

    await _with_db(settings, work)


async def _createadmin(settings: Settings, login: str, name: str, password: str | None) -> None:
    from core.identity import IdentityError, create_admin

    password = password or getpass.getpass("Password (8+ characters): ")

    async def work():
        try:
            staff = await create_admin(login, password, name or login, channel="system")
        except IdentityError as error:
            raise SystemExit(f"estafeta: cannot create admin: {error.reason.replace('_', ' ')}") from None
        print(f"Admin '{staff.login}' is ready; log in at {settings.public_url}/login")

    await _with_db(settings, work)


async def _invite(settings: Settings, role: str, name: str) -> None:
    from core.identity import IdentityError, create_invite

    async def work():
        try:
            issued = await create_invite(role, ttl_hours=settings.invites.ttl_hours, name=name, channel="system")
        except IdentityError:
            from models import Role

            known = ", ".join(await Role.all().order_by("id").values_list("key", flat=True)) or "none (run demo)"
            raise SystemExit(f"estafeta: unknown role '{role}'; known roles: {known}") from None
        username = settings.telegram.bot_username or "your_bot"
        print(f"Invite for role '{role}' (one-time, expires in {settings.invites.ttl_hours:g} h):")
        print(f"  https://t.me/{username}?start={issued.start_parameter}")
        print(f"  or send to the bot: /start {issued.start_parameter}")

    await _with_db(settings, work)


async def _pack(settings: Settings, args) -> None:
    if args.pack_command == "load":
        await _load_packs(settings, [args.name], with_demo=args.demo)
        return
    from core.packs import PackError, read_pack

    try:
        spec = read_pack(args.name)
    except PackError as error:
        raise SystemExit(f"estafeta: pack refused: {error}") from None
    print(f"Pack '{args.name}' v{spec.pack.version} is valid: {len(spec.roles)} roles, "
          f"{len(spec.pipelines)} pipelines")


_APIKEY_REFUSALS = {
    "source_required": "the source name is empty",
    "source_too_long": "the source name is longer than 64 characters",
    "source_exists": "source '{source}' already has an active key; revoke it first to issue a new one",
}


async def _apikey(settings: Settings, args) -> None:
    from core.intake import IntakeError, create_api_key, revoke_api_key

    async def work():
        if args.apikey_command == "revoke":
            if not await revoke_api_key(args.source):
                raise SystemExit(f"estafeta: source '{args.source}' has no active API key")
            print(f"API key of source '{args.source}' revoked; its requests now get 401")
            return
        try:
            plain_key = await create_api_key(args.source, args.pipeline)
        except IntakeError as error:
            if error.reason == "unknown_pipeline":
                from models import Pipeline

                known = ", ".join(await Pipeline.filter(active=True).order_by("id").values_list("key", flat=True))
                raise SystemExit(f"estafeta: unknown pipeline '{args.pipeline}'; known pipelines: "
                                 f"{known or 'none (run estafeta demo)'}") from None
            refusal = _APIKEY_REFUSALS.get(error.reason, error.reason).format(source=args.source)
            raise SystemExit(f"estafeta: cannot create API key: {refusal}") from None
        print(f"API key for source '{args.source}' (leads go to pipeline '{args.pipeline}'). "
              "It is shown only this once:")
        print(f"  {plain_key}")
        print(f"Send leads to POST {settings.public_url}/api/v1/leads with 'Authorization: Bearer <key>'; "
              f"API description: {settings.public_url}/api/v1/openapi.json")

    await _with_db(settings, work)


async def _exit_with(command) -> None:
    code = await command
    if code:
        raise SystemExit(code)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="estafeta", description="Chat-first CRM")
    parser.add_argument("--config", help="path to config.toml (default: ./config.toml or $ESTAFETA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="web panel, bot, worker (and sandbox) in one process")
    sub.add_parser("web", help="web panel and webhook only")
    sub.add_parser("bot", help="bot only (long polling or webhook registration)")
    sub.add_parser("worker", help="background jobs and the notification sender")
    sub.add_parser("migrate", help="apply database migrations")
    demo = sub.add_parser("demo", help="load roles and demo data of the configured packs")
    demo.add_argument("--pack", action="append",
                      help="pack name (repeatable); default: app.packs and the modules' packs")
    admin = sub.add_parser("createadmin", help="create or reset a web panel admin")
    admin.add_argument("login")
    admin.add_argument("--name", default="")
    admin.add_argument("--password", help="default: asked interactively")
    pack = sub.add_parser("pack", help="business packs")
    pack_sub = pack.add_subparsers(dest="pack_command", required=True)
    pack_load = pack_sub.add_parser("load", help="seed a pack's roles, permissions, references and pipelines")
    pack_load.add_argument("name")
    pack_load.add_argument("--demo", action="store_true", help="also load its demo people and records")
    pack_sub.add_parser("check", help="validate a pack without loading it").add_argument("name")
    invite = sub.add_parser("invite", help="print a one-time staff invite link for a role")
    invite.add_argument("role")
    invite.add_argument("--name", default="", help="the colleague's name")
    apikey = sub.add_parser("apikey", help="API keys of lead sources (website forms, landing pages)")
    apikey_sub = apikey.add_subparsers(dest="apikey_command", required=True)
    apikey_create = apikey_sub.add_parser("create", help="issue a key for a source and print it once")
    apikey_create.add_argument("source", help="e.g. site or landing")
    apikey_create.add_argument("--pipeline", default="sales", help="pipeline its leads go to (default: sales)")
    apikey_sub.add_parser("revoke", help="switch a source's key off").add_argument("source")
    imports_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("aiogram.event", "tortoise", "aiosqlite", "dramatiq"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load_settings(args.config)
        modules.activate(settings)
        if args.command in ("run", "web", "bot", "worker"):
            settings.check_runtime()
    except ConfigError as error:
        print(f"estafeta: config error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    commands = {
        "run": lambda: _serve(settings, frozenset({"web", "bot", "worker"})),
        "web": lambda: _serve(settings, frozenset({"web"})),
        "bot": lambda: _serve(settings, frozenset({"bot"})),
        "worker": lambda: _serve(settings, frozenset({"worker"})),
        "migrate": lambda: _migrate(settings),
        "demo": lambda: _load_packs(settings, args.pack or modules.enabled_packs(settings), with_demo=True),
        "pack": lambda: _pack(settings, args),
        "createadmin": lambda: _createadmin(settings, args.login, args.name, args.password),
        "invite": lambda: _invite(settings, args.role, args.name),
        "apikey": lambda: _apikey(settings, args),
        "import": lambda: _exit_with(imports_cli.run(settings, args)),
    }
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(commands[args.command]())


if __name__ == "__main__":
    main()
