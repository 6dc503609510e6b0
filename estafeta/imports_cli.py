"""`estafeta import FILE --entity customers|vehicles|cards [--pipeline KEY] [--map COLUMN=FIELD ...] [--dry-run]`

Prints the dry run (counts, the column mapping, the first rejected rows with reasons), then — without --dry-run —
runs the import in this process with a progress bar and says where the error report was saved. An import of the
same file that was interrupted (killed, failed) is resumed after its last committed row instead of started anew.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

BAR_WIDTH = 30
SHOWN_REJECTS = 10


def add_parser(sub) -> None:
    parser = sub.add_parser("import", help="import customers, vehicles or cards from CSV, XLSX or XLS",
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            epilog="Columns are matched by their names (ru/uk/en); --map Телефон=phone overrides, "
                                   "--map Column= leaves one out.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--entity", choices=("customers", "vehicles", "cards"),
                        help="what the file holds (default: guessed from the header)")
    parser.add_argument("--pipeline", help="pipeline of the cards when the file has no pipeline column")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD", dest="map_items",
                        help="map a column to a field (repeatable); custom card fields by their key")
    parser.add_argument("--dry-run", action="store_true", help="only check: report, write nothing")
    parser.add_argument("--as", dest="login", metavar="LOGIN",
                        help="act as this staff member (web login); default: the import itself, with system rights")
    parser.add_argument("--batch", type=int, default=100, help="rows per transaction (default: 100)")


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = width if total <= 0 else min(width, done * width // total)
    return f"\r[{'#' * filled}{'-' * (width - filled)}] {done}/{total} rows"


class TerminalProgress:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown = False

    def __call__(self, job) -> None:
        self.out.write(progress_bar(job.processed_rows, job.total_rows))
        self.out.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.out.write("\n")
            self.out.flush()


def _print_summary(job, t, out: TextIO, heading: str) -> None:
    from core.imports import engine
    from flows.imports import render_row

    summary = engine.summary(job, limit=SHOWN_REJECTS)
    out.write(f"{heading}: {job.file_name} ({job.entity}, {summary['total']} rows)\n")
    out.write(f"  create {summary['create']}, update {summary['update']}, skip {summary['skip']} (unchanged), "
              f"reject {summary['reject']}\n")
    for result in summary["rejected"]:
        out.write(f"  {render_row(result, t)}  [{result.reason}]\n")
    if summary["reject"] > len(summary["rejected"]):
        out.write(f"  … and {summary['reject'] - len(summary['rejected'])} more rejected rows\n")


def _save_error_report(job, settings, out: TextIO) -> None:
    """Next to the imported file if that folder is writable, else in the storage directory."""
    from core.imports import engine

    if not job.rejected:
        return
    content = engine.error_report(job)
    name = f"{Path(job.file_name).stem}-import-{job.id}-errors.csv"
    for folder in (Path(job.path).parent, engine.imports_dir(settings.storage_dir)):
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        except OSError:
            continue
        out.write(f"Error report ({job.rejected} rejected rows): {path}\n")
        return
    out.write("estafeta: the error report could not be written\n")


async def run(settings, args, out: TextIO = sys.stdout) -> int:
    """The `import` command; returns the exit code (0: done or checked, 1: refused or failed)."""
    from core.db import close_db, open_db

    await open_db(settings)
    try:
        return await _run(settings, args, out)
    finally:
        await close_db()


async def _run(settings, args, out: TextIO) -> int:
    from core.i18n import translator
    from core.imports import engine, mapping
    from core.imports.engine import ImportJobError
    from core.permissions import Denied, load_actor, machine_actor
    from flows.imports import mapping_text
    from models import Staff

    t = translator("en")
    actor = machine_actor(engine.CHANNEL)
    if args.login:
        staff = await Staff.get_or_none(login=args.login, active=True)
        if staff is None:
            out.write(f"estafeta: no active staff member with login '{args.login}'\n")
            return 1
        actor = await load_actor(staff, channel=engine.CHANNEL)
    options = {"region": settings.i18n.default_region, "timezone": settings.i18n.timezone,
               "default_locale": settings.i18n.default_locale}
    if args.pipeline:
        options["pipeline"] = args.pipeline
    try:
        content = args.file.read_bytes()
    except OSError as error:
        out.write(f"estafeta: cannot read {args.file}: {error}\n")
        return 1
    try:
        job = None
        if not args.dry_run:
            job = await engine.unfinished_job(engine.sha256_of(content), args.entity, actor)
        if job is not None:
            out.write(f"Resuming import #{job.id} of {job.file_name} after row {job.processed_rows} "
                      f"of {job.total_rows}\n")
            job = await engine.resume(actor, job.id) if job.status != "queued" else job
        else:
            overrides = mapping.split_map_options(args.map_items)
            job = await engine.create_job(actor, args.file, entity=args.entity, mapping=overrides, options=options)
            if not job.entity:
                out.write("estafeta: cannot tell what the file holds; give --entity customers|vehicles|cards\n")
                await engine.cancel(actor, job.id)
                return 1
            out.write(f"{mapping_text(job, t)}\n")
            await engine.dry_run(actor, job)
            _print_summary(job, t, out, "Dry run")
            if args.dry_run:
                _save_error_report(job, settings, out)
                await engine.cancel(actor, job.id)
                return 0
            if not job.created and not job.updated:
                out.write("Nothing to import.\n")
                _save_error_report(job, settings, out)
                await engine.cancel(actor, job.id)
                return 0
            job = await engine.queue(actor, job.id)
    except Denied:
        out.write("estafeta: importing needs the import.run permission\n")
        return 1
    except mapping.MappingError as error:
        out.write(f"estafeta: bad --map: {error.reason} {error.column or error.field}\n")
        return 1
    except ImportJobError as error:
        out.write(f"estafeta: {error.reason.replace('_', ' ')}{': ' + error.detail if error.detail else ''}\n")
        return 1
    bar = TerminalProgress(out)
    try:
        await engine.run(job.id, on_progress=bar, batch_size=args.batch)
    finally:
        bar.close()
    await job.refresh_from_db()
    if job.status != "done":
        out.write(f"Import #{job.id} stopped: {job.error}. Run the same command again to resume it.\n")
        return 1
    _print_summary(job, t, out, "Imported")
    _save_error_report(job, settings, out)
    return 0
