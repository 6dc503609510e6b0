"""The import engine: one path for customers, vehicles and cards from CSV, XLSX and XLS.

    job = await create_job(actor, path, options={"region": "UA"})   # reads the header, guesses entity and mapping
    report = await dry_run(actor, job)      # create / update / skip / reject per row, with reasons; writes nothing
    await queue(actor, job.id)               # the person said "run"
    await run(job.id, on_progress)           # the real run (a background job): batches, each one transaction

Every row goes through the same steps in the dry run and in the real run: clean (phones to E.164, VINs,
names, dates, money), reject duplicates inside the file, find what it is in the base (external ID first, then
phone / VIN / e-mail), decide. The real run decides each row again just before writing it, so it does what the
dry run said unless the base changed in between. A row either applies entirely (a savepoint around it) or is
reported rejected with a stable reason code and the offending value; a batch of rows and the job's progress
commit together, so a run killed at any point resumes after the last committed row and does nothing twice.
Matching makes a second run of the same file create nothing. Writes go through the domain's use cases
(permissions, field edit rules, audit log with channel "import") wherever one exists.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError, TransactionManagementError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core import activity, customers, guards, pipelines, tasks, vehicles
from core.clock import now
from core.customers import CustomerError
from core.fields import DEFAULT_ZONE, FieldError, is_empty, schema_of
from core.imports import mapping as mapping_mod
from core.imports.mapping import CUSTOM_PREFIX, MULTI, CustomField, MappingError
from core.imports.readers import ReadError, Table, read_bytes
from core.permissions import Actor, Denied, can, load_actor, machine_actor, may, require
from core.phones import InvalidPhone, format_phone, normalize_phone
from core.pipelines import CardError
from core.vehicles import VehicleError
from core.vins import InvalidVin, normalize_plate, validate_vin
from models import Card, CardHistory, Customer, CustomerAddress, CustomerPhone, ImportJob, Pipeline, Stage, Vehicle

log = logging.getLogger(__name__)

OUTCOMES = ("create", "update", "skip", "reject")
STATUSES = ("dry_run", "queued", "running", "done", "failed", "cancelled")
BATCH_SIZE = 100
CHANNEL = "import"
# How many rejected rows a summary shows; the error report has them all.
SUMMARY_REJECTS = 5
TEXT_MAX = 300
# Excel's day 0 (its 1900 calendar counts a 29 February 1900 that never was, so serials from 61 on — every date
# anyone imports — count from here); the largest serial is 9999-12-31.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2_958_465
_DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y.%m.%d", "%Y/%m/%d")
_DATETIME_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%y %H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
_PHONE_SEPARATORS = re.compile(r"[,;/\n\r]+")
_TAG_SEPARATORS = re.compile(r"[,;\n\r]+")
_APOSTROPHES = "'’ʼ`"
_LEGAL_FORMS = frozenset(
    "ооо оао зао пао ао ип чп тов тзов прат пат пп фоп спд кп дп llc ltd inc gmbh plc".split()
)
_KINDS = {
    "person": ("person", "individual", "private", "физ", "физлицо", "физ лицо", "физическое лицо", "фл", "фіз",
               "фізособа", "фіз особа", "фізична особа", "частное лицо", "приватна особа", "человек", "людина"),
    "company": ("company", "business", "corporate", "organization", "organisation", "org", "юр", "юрлицо",
                "юр лицо", "юридическое лицо", "юл", "юрособа", "юр особа", "юридична особа", "организация",
                "організація", "компания", "компанія", "фирма", "фірма", "предприятие", "підприємство"),
}


# --- results -------------------------------------------------------------------------------------------------------


class ImportJobError(Exception):
    """The job as a whole cannot go on. Reasons: not_found, forbidden, entity_required, file_missing, file_changed,
    not_in_dry_run, not_runnable, plus a ReadError's or MappingError's reason (`detail` says more)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class RowRejected(Exception):
    def __init__(self, reason: str, field: str = "", value: Any = None, other_row: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.value = "" if value is None else display_value(value)
        self.other_row = other_row


@dataclass(frozen=True)
class RowResult:
    """What happens to one row. `reason` is a stable code for rejects (and "unchanged" for skips); `field` is the
    field at fault and `value` the offending value as the file has it; `changes` the fields an update changes;
    `match` how the existing record was found (external_id, phone, email, name, vin, plate, title)."""

    row: int
    outcome: str
    reason: str = ""
    field: str = ""
    value: str = ""
    changes: tuple[str, ...] = ()
    match: str = ""
    other_row: int = 0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"row": self.row, "outcome": self.outcome, "reason": self.reason}
        for name in ("field", "value", "match", "other_row"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.changes:
            data["changes"] = list(self.changes)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RowResult:
        return cls(row=data["row"], outcome=data["outcome"], reason=data.get("reason", ""),
                   field=data.get("field", ""), value=data.get("value", ""), changes=tuple(data.get("changes", ())),
                   match=data.get("match", ""), other_row=data.get("other_row", 0))


@dataclass
class Report:
    entity: str
    total: int
    rows: list[RowResult] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.rows:
            counts[result.outcome] += 1
        return counts

    @property
    def rejected(self) -> list[RowResult]:
        return [result for result in self.rows if result.outcome == "reject"]

    def outcomes(self) -> list[tuple[int, str, str]]:
        """(row, outcome, reason) for every row: what tests and summaries compare."""
        return [(result.row, result.outcome, result.reason) for result in self.rows]


ProgressCallback = Callable[[ImportJob], Awaitable[None] | None]


# --- cleaning ------------------------------------------------------------------------------------------------------


def display_value(value: Any) -> str:
    """A cell as a person would read it back."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clean_text(value: Any, limit: int | None = None) -> str:
    text = " ".join(unicodedata.normalize("NFKC", display_value(value)).split())
    return text[:limit] if limit else text


def clean_multiline(value: Any) -> str:
    lines = [" ".join(line.split()) for line in display_value(value).strip().splitlines()]
    return "\n".join(line for line in lines if line)


def _is_all_caps(text: str) -> bool:
    cased = [char for char in text if char.lower() != char.upper()]
    return len(cased) > 1 and all(char.isupper() for char in cased)


def _title_word(word: str) -> str:
    if _NOT_WORD.sub("", word).casefold() in _LEGAL_FORMS:
        return word
    out: list[str] = []
    previous = ""
    for char in word:
        starts = not previous or not (previous.isalpha() or previous in _APOSTROPHES)
        out.append(char.upper() if starts else char.lower())
        previous = char
    return "".join(out)


_NOT_WORD = re.compile(r"[\W_]+")


def clean_name(value: Any, *, company: bool = False) -> str:
    """Spaces collapsed; a name typed in ALL CAPS title-cased ("ИВАНОВ-ПЕТРОВ И.И." → "Иванов-Петров И.И.",
    "ПИЛИП'ЮК" → "Пилип'юк"), legal forms (ТОВ, ООО, LLC) kept; a company's name is left as written."""
    text = clean_text(value)
    if not company and _is_all_caps(text):
        text = " ".join(_title_word(word) for word in text.split(" "))
    return text


def clean_kind(value: Any) -> str | None:
    text = mapping_mod.normalize_header(display_value(value))
    if not text:
        return None
    for kind, names in _KINDS.items():
        if text in names:
            return kind
    raise RowRejected("invalid_kind", "kind", value)


def split_phones(value: Any) -> list[str]:
    """One cell may hold several numbers: "067 123 45 67, 050 765 43 21" or "…; …" or "… / …"."""
    if value is None:
        return []
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [display_value(value)]
    return [piece.strip() for piece in _PHONE_SEPARATORS.split(str(value)) if piece.strip()]


def clean_phones(values: Iterable[Any], region: str | None, field_name: str = "phone") -> list[str]:
    """E.164 numbers, the first of equal ones kept; RowRejected("invalid_phone") names the piece at fault."""
    found: list[str] = []
    for value in values:
        for piece in split_phones(value):
            try:
                e164 = normalize_phone(piece, region)
            except InvalidPhone:
                raise RowRejected("invalid_phone", field_name, piece) from None
            if e164 not in found:
                found.append(e164)
    return found


def clean_email(value: Any) -> str | None:
    try:
        return customers.clean_email(display_value(value))
    except customers.CustomerError:
        raise RowRejected("invalid_email", "email", value) from None


def split_tags(values: Iterable[Any]) -> list[str]:
    tags: list[str] = []
    for value in values:
        for tag in _TAG_SEPARATORS.split(display_value(value)):
            tag = " ".join(tag.split())
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def excel_serial(value: float) -> datetime:
    if not 1 <= value <= _EXCEL_MAX_SERIAL:
        raise ValueError(value)
    base = _EXCEL_EPOCH if value >= 61 else _EXCEL_EPOCH + timedelta(days=1)
    return datetime.combine(base, time(0)) + timedelta(days=value)


def parse_date(value: Any) -> date:
    """A date from a datetime/date cell, an Excel serial number (45123, or "45123"), dd.mm.yyyy, dd.mm.yy,
    yyyy-mm-dd, dd/mm/yyyy. Raises ValueError."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial(float(value)).date()
    text = clean_text(value)
    if re.fullmatch(r"\d{1,7}(\.\d+)?", text) and not re.fullmatch(r"\d{8}", text):
        return excel_serial(float(text)).date()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(text) from None


def parse_datetime(value: Any) -> datetime:
    """Like `parse_date`, with the time of day when the cell has one (an Excel serial's fraction, "14:30")."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(0))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return excel_serial(float(value))
    text = clean_text(value)
    if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
        return excel_serial(float(text))
    for pattern in _DATETIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return datetime.combine(parse_date(text), time(0))


def parse_money(value: Any) -> Decimal:
    """An amount as people type it: "1 500,50 грн", "₴1,500.50", "1.500,50", "(100)", "-12". Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    negative = text.startswith(("-", "−", "(")) or text.endswith("-")
    digits = re.sub(r"[^\d,.]", "", text)
    if not re.search(r"\d", digits):
        raise ValueError(value)
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        digits = digits.replace(thousands, "").replace(decimal_mark, ".")
    elif commas > 1 or dots > 1:
        digits = digits.replace(",", "").replace(".", "")
    else:
        digits = digits.replace(",", ".")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValueError(value) from None
    return -amount if negative else amount


def clean_year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        year = value.year
    else:
        text = clean_text(value)
        if not re.fullmatch(r"\d{4}", text):
            try:
                year = parse_date(text).year if "." in text or "-" in text or "/" in text else None
            except ValueError:
                year = None
            if year is None:
                raise RowRejected("invalid_year", "year", value)
        else:
            year = int(text)
    if not vehicles.FIRST_CAR_YEAR <= year <= now().year + 1:
        raise RowRejected("invalid_year", "year", value)
    return year


def clean_vin(value: Any) -> str | None:
    text = display_value(value).strip()
    if not text:
        return None
    try:
        return validate_vin(text)
    except InvalidVin as error:
        raise RowRejected(f"vin_{error.reason}", "vin", value) from None


def clean_external_id(value: Any) -> str | None:
    return clean_text(value, 128) or None


# --- reading a job's file and mapping --------------------------------------------------------------------------------


def imports_dir(storage_dir: str | Path) -> Path:
    """Where uploaded import files are kept: <storage>/imports."""
    return Path(storage_dir) / "imports"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _read_job_file(job: ImportJob) -> Table:
    try:
        content = Path(job.path).read_bytes()
    except OSError as error:
        raise ImportJobError("file_missing", job.path) from error
    if job.sha256 and sha256_of(content) != job.sha256:
        raise ImportJobError("file_changed", job.path)
    try:
        return read_bytes(content, file_name=job.file_name)
    except ReadError as error:
        raise ImportJobError(error.reason, error.detail) from error


async def custom_fields(pipeline_key: str | None = None) -> list[CustomField]:
    """Card fields of one pipeline (or of every active one), for guessing and checking a cards mapping."""
    query = Pipeline.filter(active=True)
    if pipeline_key:
        query = query.filter(key=pipeline_key)
    seen: dict[str, CustomField] = {}
    for schema in await query.order_by("id").values_list("field_schema", flat=True):
        for spec in schema_of(schema or []).values():
            seen.setdefault(spec.key, CustomField(spec.key, spec.titles))
    return list(seen.values())


async def job_actor(job: ImportJob) -> Actor:
    """Who the job acts as: the staff member who started it, or (started from the CLI) the import machine actor;
    either way the audit log says channel "import"."""
    if job.actor_id is None:
        return machine_actor(CHANNEL)
    staff = await job.actor
    return await load_actor(staff, channel=job.channel or CHANNEL)


def _own_job(actor: Actor, job: ImportJob) -> bool:
    return actor.is_admin or actor.staff is None or job.actor_id == actor.staff_id


async def get_job(actor: Actor, job_id: int) -> ImportJob:
    """The actor's own import job (admins: anyone's); someone else's is reported like a missing one."""
    await require(actor, "import.run")
    job = await ImportJob.get_or_none(id=job_id)
    if job is None or not _own_job(actor, job):
        raise ImportJobError("not_found")
    return job


async def create_job(
    actor: Actor,
    path: str | Path,
    *,
    file_name: str | None = None,
    entity: str | None = None,
    mapping: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """A job for the file at `path` (kept there: the real run reads it again and checks its sha256).

    Without `entity` it is guessed from the header (the job's entity stays "" when the header does not say:
    ask the person, then `set_entity`). `mapping` entries override the guessed mapping ("" leaves a column out).
    `options`: region (default region for phones), timezone (the business's, for times without a zone: settings'
    i18n.timezone), default_locale, pipeline (cards without a pipeline column)."""
    await require(actor, "import.run")
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ImportJobError("file_missing", str(path)) from error
    name = file_name or path.name
    try:
        table = read_bytes(content, file_name=name)
    except ReadError as error:
        raise ImportJobError(error.reason, error.detail) from error
    options = dict(options or {})
    if entity is not None and entity not in mapping_mod.ENTITIES:
        raise ImportJobError("unknown_entity", entity)
    custom = await custom_fields(options.get("pipeline"))
    entity = entity or mapping_mod.guess_entity(table.header, custom) or ""
    guessed = _merged_mapping(entity, table, custom, mapping) if entity else dict(mapping or {})
    return await ImportJob.create(
        entity=entity, file_name=name[:255], path=str(path.resolve()), sha256=sha256_of(content), mapping=guessed,
        options=options, status="dry_run", total_rows=len(table.rows), actor=actor.staff,
        channel=CHANNEL,
    )


def _merged_mapping(entity: str, table: Table, custom: Sequence[CustomField],
                    overrides: dict[str, str] | None) -> dict[str, str]:
    guessed = mapping_mod.guess_mapping(entity, table.header, custom)
    for column, field_name in (overrides or {}).items():
        if field_name:
            resolved = mapping_mod.resolve_field(entity, field_name, custom)
            if resolved not in MULTI:
                # A field given by hand takes the column the guess gave it to.
                guessed = {c: f for c, f in guessed.items() if f != resolved}
            guessed[column] = resolved
        else:
            guessed.pop(column, None)
    return guessed


async def set_entity(actor: Actor, job_id: int, entity: str, *, pipeline: str | None = None) -> ImportJob:
    """What the file holds, when the header did not say; the mapping is guessed anew for it."""
    job = await get_job(actor, job_id)
    if job.status != "dry_run":
        raise ImportJobError("not_in_dry_run")
    if entity not in mapping_mod.ENTITIES:
        raise ImportJobError("unknown_entity", entity)
    table = _read_job_file(job)
    if pipeline:
        job.options = {**job.options, "pipeline": pipeline}
    custom = await custom_fields(job.options.get("pipeline"))
    job.entity = entity
    job.mapping = mapping_mod.guess_mapping(entity, table.header, custom)
    await job.save(update_fields=["entity", "mapping", "options"])
    return job


async def set_option(actor: Actor, job_id: int, **options: Any) -> ImportJob:
    job = await get_job(actor, job_id)
    if job.status != "dry_run":
        raise ImportJobError("not_in_dry_run")
    job.options = {**job.options, **options}
    await job.save(update_fields=["options"])
    return job


# --- the row handlers ----------------------------------------------------------------------------------------------


@dataclass
class Context:
    actor: Actor
    entity: str
    header: list[str]
    columns: dict[str, list[int]]
    region: str | None
    default_locale: str
    options: dict[str, Any]
    zone: tzinfo = DEFAULT_ZONE  # a date and time without a zone (an Excel cell) is the business's clock
    pipelines: dict[str, Pipeline | None] = field(default_factory=dict)

    def values(self, row, field_name: str) -> list[Any]:
        return [row.value(index) for index in self.columns.get(field_name, []) if row.value(index) is not None]

    def value(self, row, field_name: str) -> Any:
        values = self.values(row, field_name)
        return values[0] if values else None

    def custom_values(self, row) -> dict[str, Any]:
        found = {}
        for field_name in self.columns:
            if field_name.startswith(CUSTOM_PREFIX):
                value = self.value(row, field_name)
                if value is not None:
                    found[field_name.removeprefix(CUSTOM_PREFIX)] = value
        return found


@dataclass
class Plan:
    outcome: str
    target: Any = None
    changes: dict[str, Any] = field(default_factory=dict)
    match: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def result(self, row: int) -> RowResult:
        return RowResult(row=row, outcome=self.outcome, reason="unchanged" if self.outcome == "skip" else "",
                         changes=tuple(self.changes), match=self.match)


def _single(found: list, reason_value: Any, field_name: str):
    """The one record found, None for none, RowRejected("ambiguous_match") for several."""
    distinct = list({item.id: item for item in found}.values())
    if len(distinct) > 1:
        raise RowRejected("ambiguous_match", field_name, reason_value)
    return distinct[0] if distinct else None


class CustomerRows:
    entity = "customers"

    def clean(self, ctx: Context, row) -> dict[str, Any]:
        kind = clean_kind(ctx.value(row, "kind"))
        raw_name = ctx.value(row, "name")
        name = clean_name(raw_name, company=kind == "company")
        if len(name) > customers.NAME_MAX_LENGTH:
            raise RowRejected("name_too_long", "name", raw_name)
        address = clean_text(ctx.value(row, "address"))
        if len(address) > customers.ADDRESS_MAX_LENGTH:
            raise RowRejected("address_too_long", "address", address)
        notes = "\n".join(filter(None, (clean_multiline(value) for value in ctx.values(row, "notes"))))
        return {
            "external_id": clean_external_id(ctx.value(row, "external_id")),
            "name": name,
            "kind": kind,
            "phones": clean_phones(ctx.values(row, "phone"), ctx.region),
            "email": clean_email(ctx.value(row, "email")),
            "address": address or None,
            "tags": split_tags(ctx.values(row, "tags")),
            "notes": notes,
            "source": clean_text(ctx.value(row, "source"), 64) or None,
            "raw_name": raw_name,
        }

    def keys(self, clean: dict[str, Any]) -> list[tuple[str, str]]:
        keys = []
        if clean["external_id"]:
            keys.append(("external_id", clean["external_id"]))
        keys += [("phone", phone) for phone in clean["phones"]]
        if not keys and clean["email"]:
            keys.append(("email", clean["email"]))
        if not keys and clean["name"]:
            keys.append(("name", customers.normalize_name(clean["name"])))
        return keys

    async def _find(self, clean: dict[str, Any]) -> tuple[Customer | None, str]:
        live = Customer.filter(merged_into_id__isnull=True)
        if clean["external_id"]:
            found = await live.filter(external_id=clean["external_id"]).order_by("id").first()
            if found is not None:
                return found, "external_id"
        if clean["phones"]:
            ids = await CustomerPhone.filter(
                e164__in=clean["phones"], customer__merged_into_id__isnull=True
            ).values_list("customer_id", flat=True)
            if not ids:
                return None, ""
            found = _single(list(await Customer.filter(id__in=list(set(ids)))), ", ".join(clean["phones"]), "phone")
            return found, "phone"
        if clean["email"]:
            found = _single(list(await live.filter(email=clean["email"])), clean["email"], "email")
            return found, "email" if found else ""
        if clean["name"] and not clean["external_id"]:
            found = _single(list(await live.filter(name=clean["name"])), clean["name"], "name")
            return found, "name" if found else ""
        return None, ""

    async def plan(self, ctx: Context, clean: dict[str, Any]) -> Plan:
        existing, match = await self._find(clean)
        if existing is None:
            if not clean["name"]:
                raise RowRejected("name_required", "name", clean["raw_name"])
            if not can(ctx.actor, "customer.create"):
                raise RowRejected("forbidden", "", clean["external_id"] or clean["name"])
            return Plan("create")
        if not await may(ctx.actor, "customer.edit", existing):
            raise RowRejected("forbidden", match, clean["external_id"] or ", ".join(clean["phones"]))
        if clean["external_id"] and existing.external_id and existing.external_id != clean["external_id"]:
            raise RowRejected("external_id_conflict", "external_id", clean["external_id"])
        changes: dict[str, Any] = {}
        for name in ("name", "kind", "email", "source"):
            if clean[name] and clean[name] != getattr(existing, name):
                changes[name] = clean[name]
        if clean["external_id"] and not existing.external_id:
            changes["external_id"] = clean["external_id"]
        if clean["notes"] and clean["notes"] not in (existing.notes or ""):
            changes["notes"] = f"{existing.notes}\n\n{clean['notes']}" if existing.notes else clean["notes"]
        tags = list(existing.tags or [])
        if any(tag not in tags for tag in clean["tags"]):
            changes["tags"] = tags + [tag for tag in clean["tags"] if tag not in tags]
        known = set(await CustomerPhone.filter(customer_id=existing.id).values_list("e164", flat=True))
        new_phones = [phone for phone in clean["phones"] if phone not in known]
        if new_phones:
            changes["phones"] = new_phones
        if clean["address"]:
            texts = await CustomerAddress.filter(customer_id=existing.id).values_list("text", flat=True)
            if customers._same_address_key(clean["address"]) not in {customers._same_address_key(t) for t in texts}:
                changes["address"] = clean["address"]
        return Plan("update" if changes else "skip", existing, changes, match)

    async def apply(self, ctx: Context, clean: dict[str, Any], plan: Plan) -> None:
        if plan.outcome == "create":
            await customers.create_customer(
                ctx.actor, name=clean["name"], kind=clean["kind"] or "person", phones=clean["phones"],
                email=clean["email"], addresses=[clean["address"]] if clean["address"] else (), notes=clean["notes"],
                tags=clean["tags"], source=clean["source"], external_id=clean["external_id"], region=ctx.region,
            )
            return
        customer: Customer = plan.target
        scalars = {key: value for key, value in plan.changes.items() if key not in ("phones", "address")}
        if scalars:
            await customers.update_customer(ctx.actor, customer.id, **scalars)
        for phone in plan.changes.get("phones", ()):
            await customers.add_phone(ctx.actor, customer.id, phone, region=ctx.region)
        if plan.changes.get("address"):
            await customers.add_address(ctx.actor, customer.id, plan.changes["address"])


class VehicleRows:
    entity = "vehicles"

    def clean(self, ctx: Context, row) -> dict[str, Any]:
        raw_plate = ctx.value(row, "plate")
        plate = normalize_plate(display_value(raw_plate)) if raw_plate is not None else None
        if plate and len(plate) > vehicles.PLATE_MAX_LENGTH:
            raise RowRejected("plate_too_long", "plate", raw_plate)
        clean = {
            "external_id": clean_external_id(ctx.value(row, "external_id")),
            "vin": clean_vin(ctx.value(row, "vin")),
            "plate": plate or None,
            "make": clean_text(ctx.value(row, "make"), vehicles.MAKE_MAX_LENGTH),
            "model": clean_text(ctx.value(row, "model"), vehicles.MAKE_MAX_LENGTH),
            "year": clean_year(ctx.value(row, "year")),
            "owner_phones": clean_phones(ctx.values(row, "owner_phone"), ctx.region, "owner_phone"),
            "owner_external_id": clean_external_id(ctx.value(row, "owner_external_id")),
        }
        if not (clean["vin"] or clean["plate"] or clean["external_id"]):
            raise RowRejected("identity_required", "vin")
        return clean

    def keys(self, clean: dict[str, Any]) -> list[tuple[str, str]]:
        keys = []
        if clean["external_id"]:
            keys.append(("external_id", clean["external_id"]))
        if clean["vin"]:
            keys.append(("vin", clean["vin"]))
        if not keys and clean["plate"]:
            keys.append(("plate", clean["plate"]))
        return keys

    async def _owner(self, clean: dict[str, Any]) -> Customer | None:
        if clean["owner_external_id"]:
            owner = await Customer.filter(external_id=clean["owner_external_id"],
                                          merged_into_id__isnull=True).order_by("id").first()
            if owner is None:
                raise RowRejected("owner_not_found", "owner_external_id", clean["owner_external_id"])
            return owner
        for phone in clean["owner_phones"][:1]:
            owner = await customers.find_by_phone(phone)
            if owner is None:
                raise RowRejected("owner_not_found", "owner_phone", phone)
            return owner
        return None

    async def plan(self, ctx: Context, clean: dict[str, Any]) -> Plan:
        owner = await self._owner(clean)
        existing, match = None, ""
        if clean["external_id"]:
            existing = await Vehicle.filter(external_id=clean["external_id"]).order_by("id").first()
            match = "external_id"
        if existing is None and clean["vin"]:
            existing, match = await Vehicle.filter(vin=clean["vin"]).order_by("id").first(), "vin"
        if existing is None and clean["plate"] and not clean["vin"]:
            existing, match = await Vehicle.filter(plate=clean["plate"]).order_by("id").first(), "plate"
        if not can(ctx.actor, "vehicle.edit"):
            raise RowRejected("forbidden", "", clean["vin"] or clean["plate"] or clean["external_id"])
        if existing is None:
            return Plan("create", extra={"owner": owner})
        if clean["external_id"] and existing.external_id and existing.external_id != clean["external_id"]:
            raise RowRejected("external_id_conflict", "external_id", clean["external_id"])
        changes: dict[str, Any] = {}
        if clean["vin"] and clean["vin"] != existing.vin:
            other = await Vehicle.filter(vin=clean["vin"]).exclude(id=existing.id).exists()
            if other:
                raise RowRejected("duplicate_vin", "vin", clean["vin"])
            changes["vin"] = clean["vin"]
        for name in ("plate", "make", "model", "year"):
            if clean[name] and clean[name] != getattr(existing, name):
                changes[name] = clean[name]
        if clean["external_id"] and not existing.external_id:
            changes["external_id"] = clean["external_id"]
        if owner is not None:
            current = await vehicles.current_ownership(existing.id)
            if current is None or current.customer_id != owner.id:
                changes["owner"] = owner.id
        return Plan("update" if changes else "skip", existing, changes, match, {"owner": owner})

    async def apply(self, ctx: Context, clean: dict[str, Any], plan: Plan) -> None:
        owner = plan.extra.get("owner")
        if plan.outcome == "create":
            await vehicles.create_vehicle(
                ctx.actor, vin=clean["vin"], plate=clean["plate"], make=clean["make"], model=clean["model"],
                year=clean["year"], owner=owner, external_id=clean["external_id"],
            )
            return
        vehicle: Vehicle = plan.target
        fields = {key: value for key, value in plan.changes.items() if key != "owner"}
        if fields:
            # core.vehicles has no edit use case yet: the same permission, written here with the audit record.
            await require(ctx.actor, "vehicle.edit")
            before = {key: getattr(vehicle, key) for key in fields}
            await Vehicle.filter(id=vehicle.id).update(**fields)
            await activity.record("vehicle.update", channel=ctx.actor.channel, actor=ctx.actor.staff,
                                  object_type="vehicle", object_id=vehicle.id, before=before, after=fields)
        if "owner" in plan.changes:
            await vehicles.set_owner(ctx.actor, vehicle.id, plan.changes["owner"])


class CardRows:
    entity = "cards"

    def clean(self, ctx: Context, row) -> dict[str, Any]:
        raw_name = ctx.value(row, "customer_name")
        return {
            "external_id": clean_external_id(ctx.value(row, "external_id")),
            "pipeline": clean_text(ctx.value(row, "pipeline")) or ctx.options.get("pipeline") or "",
            "title": clean_text(ctx.value(row, "title"), TEXT_MAX),
            "stage": clean_text(ctx.value(row, "stage")),
            "customer_phones": clean_phones(ctx.values(row, "customer_phone"), ctx.region, "customer_phone"),
            "customer_external_id": clean_external_id(ctx.value(row, "customer_external_id")),
            "customer_name": clean_name(raw_name) if raw_name is not None else "",
            "fields": ctx.custom_values(row),
        }

    def keys(self, clean: dict[str, Any]) -> list[tuple[str, str]]:
        if clean["external_id"]:
            return [("external_id", f"{clean['pipeline']}\x00{clean['external_id']}")]
        return []

    async def _pipeline(self, ctx: Context, name: str) -> Pipeline:
        if not name:
            raise RowRejected("pipeline_required", "pipeline")
        if name not in ctx.pipelines:
            found = await Pipeline.get_or_none(key=name, active=True)
            if found is None:
                wanted = name.casefold()
                for candidate in await Pipeline.filter(active=True).order_by("id"):
                    if wanted in {title.casefold() for title in candidate.titles.values()}:
                        found = candidate
                        break
            ctx.pipelines[name] = found
        pipeline = ctx.pipelines[name]
        if pipeline is None:
            raise RowRejected("unknown_pipeline", "pipeline", name)
        return pipeline

    async def _stage(self, pipeline: Pipeline, name: str) -> Stage | None:
        stages = await Stage.filter(pipeline_id=pipeline.id, active=True).order_by("position", "id")
        if not name:
            return None
        wanted = name.casefold()
        for stage in stages:
            if stage.key.casefold() == wanted or wanted in {title.casefold() for title in stage.titles.values()}:
                return stage
        raise RowRejected("unknown_stage", "stage", name)

    async def _customer(self, ctx: Context, clean: dict[str, Any]) -> tuple[Customer | None, bool]:
        """The card's customer, and True when the row will create it (a phone nobody in the base has)."""
        if clean["customer_external_id"]:
            found = await Customer.filter(external_id=clean["customer_external_id"],
                                          merged_into_id__isnull=True).order_by("id").first()
            if found is None:
                raise RowRejected("customer_not_found", "customer_external_id", clean["customer_external_id"])
            return found, False
        for phone in clean["customer_phones"][:1]:
            found = await customers.find_by_phone(phone)
            if found is not None:
                return found, False
            if not can(ctx.actor, "customer.create"):
                raise RowRejected("forbidden", "customer_phone", phone)
            return None, True
        return None, False

    @staticmethod
    def _typed(pipeline: Pipeline, raw: dict[str, Any]) -> dict[str, Any]:
        """Cells in the form the field cleaner takes: Excel serials and dd.mm.yyyy as ISO dates, "1 500,50 грн"
        as a Decimal. Anything else goes as it is and the pipeline's own cleaning judges it."""
        schema = schema_of(pipeline.field_schema)
        typed: dict[str, Any] = {}
        for key, value in raw.items():
            spec = schema.get(key)
            try:
                if spec is not None and spec.type == "money":
                    value = parse_money(value)
                elif spec is not None and spec.type == "number" and isinstance(value, str):
                    value = parse_money(value)
                elif spec is not None and spec.type == "date":
                    value = parse_date(value).isoformat()
                elif spec is not None and spec.type == "datetime":
                    value = parse_datetime(value).isoformat()
                elif spec is not None and spec.type in ("text", "choice", "link", "phone", "boolean"):
                    value = display_value(value).strip()
            except ValueError:
                raise RowRejected("field_invalid", f"{CUSTOM_PREFIX}{key}", value) from None
            typed[key] = value
        return typed

    @staticmethod
    def _field_rejection(error: CardError, raw: dict[str, Any]) -> RowRejected:
        if error.reason == "invalid_fields":
            key, reason = next(iter(sorted(error.details.get("fields", {}).items())))
            return RowRejected(f"field_{reason}", f"{CUSTOM_PREFIX}{key}", raw.get(key))
        return RowRejected(error.reason)

    async def plan(self, ctx: Context, clean: dict[str, Any]) -> Plan:
        pipeline = await self._pipeline(ctx, clean["pipeline"])
        stage = await self._stage(pipeline, clean["stage"])
        customer, new_customer = await self._customer(ctx, clean)
        fields = self._typed(pipeline, clean["fields"])
        existing, match = None, ""
        if clean["external_id"]:
            existing = await Card.filter(pipeline_id=pipeline.id, external_id=clean["external_id"]).first()
            match = "external_id"
        elif clean["title"] and customer is not None:
            existing = await Card.filter(pipeline_id=pipeline.id, customer_id=customer.id,
                                         title=clean["title"]).order_by("id").first()
            match = "title"
        extra = {"pipeline": pipeline, "stage": stage, "customer": customer, "new_customer": new_customer,
                 "fields": fields}
        if existing is None:
            if not can(ctx.actor, "card.create"):
                raise RowRejected("forbidden", "", clean["external_id"] or clean["title"])
            first = await Stage.filter(pipeline_id=pipeline.id, active=True).order_by("position", "id").first()
            if fields:
                try:
                    await pipelines.clean_fields(ctx.actor, pipeline, first, fields, region=ctx.region or "UA",
                                                 zone=ctx.zone)
                except CardError as error:
                    raise self._field_rejection(error, clean["fields"]) from None
            return Plan("create", extra=extra | {"first": first})
        if not await may(ctx.actor, "card.edit", existing):
            raise RowRejected("forbidden", match, clean["external_id"] or clean["title"])
        current = await Stage.get(id=existing.stage_id)
        changes: dict[str, Any] = {}
        if clean["title"] and clean["title"] != existing.title:
            changes["title"] = clean["title"]
        if fields:
            try:
                cleaned = await pipelines.clean_fields(ctx.actor, pipeline, current, fields,
                                                       region=ctx.region or "UA", zone=ctx.zone)
            except CardError as error:
                raise self._field_rejection(error, clean["fields"]) from None
            changed = {key: value for key, value in cleaned.items() if existing.fields_data.get(key) != value}
            if changed:
                changes["fields"] = changed
        if stage is not None and stage.id != existing.stage_id:
            moves = [t for t in await pipelines.allowed_transitions(ctx.actor, existing) if t.to_stage_id == stage.id]
            if not moves:
                raise RowRejected("stage_unreachable", "stage", clean["stage"])
            merged = {**existing.fields_data, **changes.get("fields", {})}
            missing = [key for key in current.required_fields if is_empty(merged.get(key))]
            if missing and stage.kind != "lost":
                raise RowRejected("fields_missing", f"{CUSTOM_PREFIX}{missing[0]}", "")
            changes["stage"] = stage.key
            extra["transition"] = moves[0]
        return Plan("update" if changes else "skip", existing, changes, match, extra)

    async def apply(self, ctx: Context, clean: dict[str, Any], plan: Plan) -> None:
        extra = plan.extra
        region = ctx.region or "UA"
        if plan.outcome == "create":
            customer = extra["customer"]
            if extra["new_customer"]:
                phone = clean["customer_phones"][0]
                customer = await customers.create_customer(
                    ctx.actor, name=clean["customer_name"] or format_phone(phone), phones=[phone], region=ctx.region,
                    source=CHANNEL,
                )
            card = await pipelines.create_card(
                ctx.actor, extra["pipeline"].key, title=clean["title"], customer=customer, fields=extra["fields"],
                external_id=clean["external_id"], source=CHANNEL, region=region, zone=ctx.zone,
                default_locale=ctx.default_locale,
            )
            stage, first = extra["stage"], extra["first"]
            if stage is not None and stage.id != first.id:
                await _place_card(ctx.actor, card, first, stage)
            return
        card: Card = plan.target
        if "title" in plan.changes:
            await require(ctx.actor, "card.edit", card)
            updated = await Card.filter(id=card.id, version=card.version).update(
                title=plan.changes["title"], version=F("version") + 1, updated_at=now())
            if not updated:
                raise CardError("card_changed")
            await activity.record("card.edit", channel=ctx.actor.channel, actor=ctx.actor.staff,
                                  object_type="card", object_id=card.id, before={"title": card.title},
                                  after={"title": plan.changes["title"]})
        if "fields" in plan.changes:
            await pipelines.edit_fields(ctx.actor, card.id, plan.changes["fields"], region=region, zone=ctx.zone)
        if "stage" in plan.changes:
            transition = extra["transition"]
            await pipelines.move_card(ctx.actor, card.id, transition.key, region=region,
                                      default_locale=ctx.default_locale,
                                      reason=CHANNEL if transition.reason_required else None)


async def _place_card(actor: Actor, card: Card, first: Stage, stage: Stage) -> None:
    """An imported card put straight into the stage the other system had it in. Not a move: no transition is
    taken and the stage's on-enter actions do not run (the work they stand for happened there); the history
    and the audit log say it was placed by the import, and the first stage's tasks are closed."""
    at = now()
    await Card.filter(id=card.id).update(
        stage_id=stage.id, version=F("version") + 1, stage_entered_at=at, updated_at=at,
        closed_at=at if stage.kind in ("done", "lost") else None,
    )
    await CardHistory.create(card_id=card.id, from_stage=first, to_stage=stage, transition_key=None,
                             actor=actor.staff, channel=actor.channel, reason=CHANNEL)
    await tasks.close_stage_tasks(card, first, actor=actor)
    await activity.record_by(actor, "card.place", object_type="card",
                          object_id=card.id, before={"stage": first.key}, after={"stage": stage.key})


HANDLERS = {"customers": CustomerRows(), "vehicles": VehicleRows(), "cards": CardRows()}


# --- dry run and run -----------------------------------------------------------------------------------------------


async def _context(actor: Actor, job: ImportJob, table: Table) -> Context:
    if job.entity not in HANDLERS:
        raise ImportJobError("entity_required")
    custom = await custom_fields(job.options.get("pipeline"))
    try:
        checked = mapping_mod.check_mapping(job.entity, job.mapping or {}, table.header, custom)
    except MappingError as error:
        raise ImportJobError(f"mapping_{error.reason}", error.field or error.column) from error
    columns: dict[str, list[int]] = {}
    for index, name in enumerate(table.header):
        if name in checked:
            columns.setdefault(checked[name], []).append(index)
    return Context(actor=actor, entity=job.entity, header=table.header, columns=columns,
                   region=job.options.get("region"), default_locale=job.options.get("default_locale", "ru"),
                   options=dict(job.options),
                   zone=ZoneInfo(job.options["timezone"]) if job.options.get("timezone") else DEFAULT_ZONE)


@dataclass
class _Prepared:
    row: Any
    clean: dict[str, Any] | None = None
    rejected: RowResult | None = None


def _prepare(ctx: Context, table: Table) -> list[_Prepared]:
    """Every row cleaned, and later rows that repeat an earlier row's external ID / phone / VIN rejected. Pure,
    over the whole file, so the dry run, the run and a resumed run reject exactly the same rows."""
    handler = HANDLERS[ctx.entity]
    first_seen: dict[tuple[str, str], int] = {}
    prepared = []
    for row in table.rows:
        try:
            clean = handler.clean(ctx, row)
        except RowRejected as rejected:
            prepared.append(_Prepared(row, rejected=_rejection(row.number, rejected)))
            continue
        keys = handler.keys(clean)
        repeated = next(((kind, key) for kind, key in keys if (kind, key) in first_seen), None)
        if repeated is not None:
            kind, key = repeated
            shown = key.split("\x00")[-1]
            prepared.append(_Prepared(row, rejected=RowResult(
                row=row.number, outcome="reject", reason="duplicate_in_file", field=kind, value=shown,
                other_row=first_seen[repeated])))
            continue
        for key in keys:
            first_seen.setdefault(key, row.number)
        prepared.append(_Prepared(row, clean=clean))
    return prepared


def _rejection(row: int, rejected: RowRejected) -> RowResult:
    return RowResult(row=row, outcome="reject", reason=rejected.reason, field=rejected.field, value=rejected.value,
                     other_row=rejected.other_row)


def _domain_rejection(error: Exception, locale: str) -> RowRejected:
    """A refusal of a use case as a row rejection with its stable reason (a move guard's rule, in `locale`, as the
    value: the rule names what to fix)."""
    if isinstance(error, RowRejected):
        return error
    if isinstance(error, CardError) and error.reason == "guard":
        return RowRejected("guard", "", guards.describe(error.details["refusal"], locale))
    if isinstance(error, InvalidPhone):
        return RowRejected("invalid_phone", "phone")
    if isinstance(error, InvalidVin):
        return RowRejected(f"vin_{error.reason}", "vin")
    if isinstance(error, CardError) and error.reason == "invalid_fields":
        key, reason = next(iter(sorted(error.details.get("fields", {}).items())))
        return RowRejected(f"field_{reason}", f"{CUSTOM_PREFIX}{key}")
    if isinstance(error, CustomerError | VehicleError | CardError):
        detail = next(iter(error.details.values()), None) if error.details else None
        return RowRejected(error.reason, "", detail)
    if isinstance(error, FieldError):
        return RowRejected(f"field_{error.reason}", f"{CUSTOM_PREFIX}{error.field_key}")
    if isinstance(error, Denied):
        return RowRejected("forbidden", "", error.action)
    return RowRejected("error", "", type(error).__name__)


_ROW_REFUSALS = (RowRejected, InvalidPhone, InvalidVin, CustomerError, VehicleError, CardError, FieldError, Denied)
_FATAL = (DBConnectionError, TransactionManagementError)


async def _decide(handler, ctx: Context, prepared: _Prepared, *, write: bool) -> RowResult:
    """Plan one row (and with `write`, apply it inside a savepoint: all of it or none of it)."""
    if prepared.rejected is not None:
        return prepared.rejected
    number = prepared.row.number
    try:
        if not write:
            return (await handler.plan(ctx, prepared.clean)).result(number)
        async with in_transaction():
            plan = await handler.plan(ctx, prepared.clean)
            if plan.outcome in ("create", "update"):
                await handler.apply(ctx, prepared.clean, plan)
        return plan.result(number)
    except _ROW_REFUSALS as error:
        return _rejection(number, _domain_rejection(error, ctx.default_locale))
    except _FATAL:
        raise
    except IntegrityError as error:
        log.warning("import row %s: %s", number, error)
        return _rejection(number, RowRejected("error", "", type(error).__name__))
    except OperationalError:
        raise
    except Exception as error:
        log.exception("import row %s failed", number)
        return _rejection(number, RowRejected("error", "", type(error).__name__))


def _stored(results: Iterable[RowResult]) -> list[dict[str, Any]]:
    """What the job keeps per row: the rejected ones (the report a person downloads)."""
    return [result.to_json() for result in results if result.outcome == "reject"]


async def dry_run(actor: Actor, job: ImportJob) -> Report:
    """What the real run would do with every row, writing nothing but the job's summary: counts, and the rejected
    rows with reasons (for the error report)."""
    await require(actor, "import.run")
    if job.status != "dry_run":
        raise ImportJobError("not_in_dry_run")
    table = _read_job_file(job)
    ctx = await _context(actor, job, table)
    handler = HANDLERS[job.entity]
    report = Report(entity=job.entity, total=len(table.rows))
    for prepared in _prepare(ctx, table):
        report.rows.append(await _decide(handler, ctx, prepared, write=False))
    counts = report.counts
    await ImportJob.filter(id=job.id, status="dry_run").update(
        total_rows=report.total, processed_rows=0, created=counts["create"], updated=counts["update"],
        skipped=counts["skip"], rejected=counts["reject"], report=_stored(report.rows), error=None,
    )
    job.total_rows, job.processed_rows = report.total, 0
    job.created, job.updated, job.skipped, job.rejected = (counts["create"], counts["update"], counts["skip"],
                                                            counts["reject"])
    job.report = _stored(report.rows)
    return report


async def queue(actor: Actor, job_id: int, *, progress_chat_id: int | None = None,
                progress_message_id: int | None = None) -> ImportJob:
    """The person confirmed the dry run: the job waits for a worker. Pressing "run" twice queues it once
    (ImportJobError("not_in_dry_run") the second time). The dry run's counts give way to the run's."""
    job = await get_job(actor, job_id)
    if not job.entity:
        raise ImportJobError("entity_required")
    updated = await ImportJob.filter(id=job.id, status="dry_run").update(
        status="queued", processed_rows=0, created=0, updated=0, skipped=0, rejected=0, report=[], error=None,
        progress_chat_id=progress_chat_id, progress_message_id=progress_message_id,
    )
    if not updated:
        raise ImportJobError("not_in_dry_run")
    await job.refresh_from_db()
    return job


async def set_progress_message(job_id: int, chat_id: int, message_id: int) -> None:
    await ImportJob.filter(id=job_id).update(progress_chat_id=chat_id, progress_message_id=message_id)


async def cancel(actor: Actor, job_id: int) -> ImportJob:
    """Drops a job that has not started; a running job finishes (it can be resumed, not half-undone)."""
    job = await get_job(actor, job_id)
    if not await ImportJob.filter(id=job.id, status__in=("dry_run", "queued")).update(status="cancelled",
                                                                                       finished_at=now()):
        raise ImportJobError("not_runnable")
    await job.refresh_from_db()
    return job


async def resume(actor: Actor, job_id: int) -> ImportJob:
    """A failed or interrupted run queued again; it goes on after the last committed row."""
    job = await get_job(actor, job_id)
    if not await ImportJob.filter(id=job.id, status__in=("running", "failed")).update(status="queued", error=None):
        raise ImportJobError("not_runnable")
    await job.refresh_from_db()
    return job


async def unfinished_job(sha256: str, entity: str | None, actor: Actor) -> ImportJob | None:
    """The actor's newest run of this very file (of this entity, if given) that was interrupted — status queued,
    running or failed — to resume rather than start anew."""
    query = ImportJob.filter(sha256=sha256, status__in=("queued", "running", "failed"))
    if entity:
        query = query.filter(entity=entity)
    query = query.filter(actor_id=actor.staff_id) if actor.staff is not None else query.filter(actor_id__isnull=True)
    return await query.order_by("-id").first()


class _Superseded(Exception):
    """Another runner committed this batch first."""


async def run(job_id: int, on_progress: ProgressCallback | None = None, *, batch_size: int = BATCH_SIZE) -> Report:
    """The real run of a queued job (or the rest of an interrupted one). Rows are taken in batches; each batch and
    the job's progress (processed_rows, counts, rejected rows) commit in one transaction, so a run killed at any
    point goes on after the last committed row. Two runners of one job cannot both apply a batch: the progress is
    a compare-and-set. Returns the rows this call decided. `on_progress(job)` is called after each batch and at
    the end; an exception from it stops the run like a crash would (the job is marked failed, resumable)."""
    job = await ImportJob.get_or_none(id=job_id)
    if job is None:
        raise ImportJobError("not_found")
    if job.status not in ("queued", "running", "failed"):
        return Report(entity=job.entity, total=job.total_rows)
    actor = await job_actor(job)
    try:
        if not can(actor, "import.run"):
            raise ImportJobError("forbidden")
        table = _read_job_file(job)
        ctx = await _context(actor, job, table)
    except ImportJobError as error:
        await _finish(job, "failed", error=str(error))
        if on_progress is not None:
            await _call(on_progress, job)
        return Report(entity=job.entity, total=job.total_rows)
    handler = HANDLERS[job.entity]
    prepared = _prepare(ctx, table)
    await ImportJob.filter(id=job.id).update(status="running", total_rows=len(prepared), error=None)
    job.status, job.total_rows = "running", len(prepared)
    report = Report(entity=job.entity, total=len(prepared))
    try:
        while job.processed_rows < len(prepared):
            start = job.processed_rows
            batch = prepared[start:start + batch_size]
            try:
                results = await _run_batch(handler, ctx, job, start, batch)
            except _Superseded:
                log.info("import %s: rows from %s were taken by another runner", job.id, start)
                return report
            report.rows += results
            if on_progress is not None:
                await _call(on_progress, job)
    except BaseException as error:
        await ImportJob.filter(id=job.id, status="running").update(status="failed", error=repr(error)[:2000])
        raise
    await _finish(job, "done")
    if on_progress is not None:
        await _call(on_progress, job)
    return report


async def _run_batch(handler, ctx: Context, job: ImportJob, start: int, batch: list[_Prepared]) -> list[RowResult]:
    async with in_transaction():
        # Taken under a row lock (PostgreSQL): a second runner waits here, then sees the rows done and stops.
        locked = await ImportJob.filter(id=job.id).select_for_update().first()
        if locked is None or locked.processed_rows != start or locked.status != "running":
            raise _Superseded
        results = [await _decide(handler, ctx, prepared, write=True) for prepared in batch]
        counts = Report(entity=job.entity, total=0, rows=results).counts
        values = {
            "processed_rows": start + len(batch),
            "created": locked.created + counts["create"],
            "updated": locked.updated + counts["update"],
            "skipped": locked.skipped + counts["skip"],
            "rejected": locked.rejected + counts["reject"],
            "report": list(locked.report or []) + _stored(results),
        }
        if not await ImportJob.filter(id=job.id, processed_rows=start).update(**values):
            raise _Superseded
    for name, value in values.items():
        setattr(job, name, value)
    return results


async def _finish(job: ImportJob, status: str, *, error: str | None = None) -> None:
    at = now()
    await ImportJob.filter(id=job.id).update(status=status, finished_at=at, error=error)
    job.status, job.finished_at, job.error = status, at, error


async def _call(callback: ProgressCallback, job: ImportJob) -> None:
    result = callback(job)
    if result is not None and hasattr(result, "__await__"):
        await result


# --- reports -------------------------------------------------------------------------------------------------------


def stored_report(job: ImportJob) -> list[RowResult]:
    return [RowResult.from_json(item) for item in job.report or []]


def error_report(job: ImportJob) -> bytes:
    """The rejected rows as CSV (UTF-8 with BOM, ';' — what Excel in ru/uk opens as columns): row, outcome,
    reason, field, value, then the row's original cells. Fixed rows can be imported again from this very file."""
    rejected = stored_report(job)
    try:
        table = _read_job_file(job)
    except ImportJobError:
        table = None
    originals = {row.number: row for row in table.rows} if table else {}
    header = list(table.header) if table else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["row", "outcome", "reason", "field", "value", *header])
    for result in rejected:
        original = originals.get(result.row)
        cells = [display_value(original.value(i)) for i in range(len(header))] if original else []
        writer.writerow([result.row, result.outcome, result.reason, result.field, result.value, *cells])
    return buffer.getvalue().encode("utf-8-sig")


def summary(job: ImportJob, limit: int = SUMMARY_REJECTS) -> dict[str, Any]:
    """The numbers a summary shows, and the first rejected rows."""
    return {
        "entity": job.entity,
        "file_name": job.file_name,
        "status": job.status,
        "total": job.total_rows,
        "processed": job.processed_rows,
        "create": job.created,
        "update": job.updated,
        "skip": job.skipped,
        "reject": job.rejected,
        "rejected": stored_report(job)[:limit],
    }


__all__ = [
    "BATCH_SIZE", "CHANNEL", "OUTCOMES", "CardRows", "CustomerRows", "ImportJobError", "Report", "RowRejected",
    "RowResult", "VehicleRows", "cancel", "clean_name", "clean_phones", "create_job", "custom_fields", "dry_run",
    "error_report", "excel_serial", "get_job", "imports_dir", "job_actor", "parse_date", "parse_datetime",
    "parse_money", "queue", "resume", "run", "set_entity", "set_option", "set_progress_message", "sha256_of",
    "stored_report", "summary", "unfinished_job",
]
