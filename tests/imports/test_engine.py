"""The import engine end to end on files the tests build: messy rows → the exact dry-run report, the real run doing
what the dry run said, a second run creating nothing, CSV in cp1251 with ';', old XLS, and a killed run resumed."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from core import customers, vehicles
from core.imports import engine, mapping, readers
from core.imports.engine import ImportJobError
from core.packs import load_pack
from core.permissions import Actor, load_actor
from models import Activity, Card, Customer, CustomerPhone, ImportJob, Role, Staff, Vehicle, VehicleOwnership

UA = "UA"
OPTIONS = {"region": UA, "default_locale": "ru"}


# --- fixtures ------------------------------------------------------------------------------------------------------


def xlsx(path: Path, rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
async def head(db) -> Actor:
    """Catherine Lee, head of sales in the generic pack: import.run and the customer, vehicle and card rights."""
    await load_pack("generic", with_demo=False)
    catherine = await Staff.create(name="Catherine Lee", telegram_id=1000003, locale="en")
    await catherine.roles.add(await Role.get(key="head"))
    return await load_actor(catherine, channel="import")


CUSTOMER_ROWS = [
    ["ID", "ФИО", "Телефон", "Телефон 2", "Email", "Теги", "Примечание"],
    ["C-001", "ИВАНОВ  ИВАН", "+38 (067) 123-45-67", None, "Ivan@Example.com", "vip; опт", None],   # 2
    ["C-002", "Петро Сидоренко", "067 765 43 21; 050-222-33-44", None, None, None, "звонить после 18"],  # 3
    ["C-003", "Anna Smith", "0671234567", None, None, None, None],                                  # 4 same phone as 2
    ["C-004", "Bad Phone", "12345", None, None, None, None],                                        # 5
    ["C-005", None, "099 111 22 33", None, None, None, None],                                       # 6 no name
    [None, "ОЛЕГ ПЕТРЕНКО", "050 111 22 33", None, None, None, None],                               # 7 = base
    ["C-100", "Марина Коваленко", None, None, "new@example.com", None, None],                       # 8 e-mail changed
    ["C-006", "Ольга Бондар", 380443334455, None, None, None, None],                                # 9 number cell
    ["C-007", "Тест", None, None, "not-an-email", None, None],                                      # 10
    [None, None, None, None, None, None, None],                                                     # 11 empty
    ["C-008", "Степан Мельник", "093-555-66-77", "093 555 66 77", None, None, None],                # 12
    ["C-009", "Ірина Шевчук", "063 111 00 00, 067 123 45 67", None, None, None, None],              # 13 phone of 2
]

CUSTOMER_DRY_RUN = [
    (2, "create", ""),
    (3, "create", ""),
    (4, "reject", "duplicate_in_file"),
    (5, "reject", "invalid_phone"),
    (6, "reject", "name_required"),
    (7, "skip", "unchanged"),
    (8, "update", ""),
    (9, "create", ""),
    (10, "reject", "invalid_email"),
    (12, "create", ""),
    (13, "reject", "duplicate_in_file"),
]


async def seed_customers(actor: Actor) -> tuple[Customer, Customer]:
    actor = replace(actor, channel="web")  # the base as it was before the import
    oleg = await customers.create_customer(actor, name="Олег Петренко", phones=["+380501112233"], region=UA)
    marina = await customers.create_customer(actor, name="Марина Коваленко", phones=["+380631234567"],
                                             email="old@example.com", external_id="C-100", region=UA)
    return oleg, marina


async def start(actor: Actor, path: Path, **kwargs) -> tuple[ImportJob, engine.Report]:
    job = await engine.create_job(actor, path, options={**OPTIONS, **kwargs.pop("options", {})}, **kwargs)
    return job, await engine.dry_run(actor, job)


def crash(job: ImportJob) -> None:
    """An on_progress that stops the run after its first batch, as a killed process would."""
    raise RuntimeError("killed")


async def run_job(actor: Actor, job: ImportJob, **kwargs) -> engine.Report:
    await engine.queue(actor, job.id)
    return await engine.run(job.id, **kwargs)


# --- customers ------------------------------------------------------------------------------------------------------


async def test_customers_dry_run_report_is_exact(head, tmp_path):
    oleg, marina = await seed_customers(head)
    job, report = await start(head, xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS))

    assert job.entity == "customers"
    assert job.mapping == {"ID": "external_id", "ФИО": "name", "Телефон": "phone", "Телефон 2": "phone",
                           "Email": "email", "Теги": "tags", "Примечание": "notes"}
    assert report.total == 11 and report.outcomes() == CUSTOMER_DRY_RUN
    by_row = {result.row: result for result in report.rows}
    assert (by_row[4].field, by_row[4].value, by_row[4].other_row) == ("phone", "+380671234567", 2)
    assert (by_row[13].field, by_row[13].value, by_row[13].other_row) == ("phone", "+380671234567", 2)
    assert (by_row[5].field, by_row[5].value) == ("phone", "12345")
    assert (by_row[6].field, by_row[6].value) == ("name", "")
    assert (by_row[10].field, by_row[10].value) == ("email", "not-an-email")
    assert (by_row[7].match, by_row[8].match, by_row[8].changes) == ("phone", "external_id", ("email",))
    assert report.counts == {"create": 4, "update": 1, "skip": 1, "reject": 5}
    # The dry run wrote nothing but the job's summary.
    assert await Customer.all().count() == 2
    stored = await ImportJob.get(id=job.id)
    assert (stored.status, stored.created, stored.updated, stored.skipped, stored.rejected) == ("dry_run", 4, 1, 1, 5)
    assert [item["row"] for item in stored.report] == [4, 5, 6, 10, 13]


async def test_customers_run_does_what_the_dry_run_said_and_a_second_run_creates_nothing(head, tmp_path):
    oleg, marina = await seed_customers(head)
    path = xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS)
    job, dry = await start(head, path)
    seen = []
    done = await run_job(head, job, on_progress=lambda j: seen.append(j.processed_rows), batch_size=4)

    assert done.outcomes() == dry.outcomes()
    assert seen == [4, 8, 11, 11]
    job = await ImportJob.get(id=job.id)
    assert (job.status, job.processed_rows, job.created, job.updated, job.skipped, job.rejected) == (
        "done", 11, 4, 1, 1, 5)
    assert job.finished_at is not None

    ivan = await Customer.get(external_id="C-001")
    assert (ivan.name, ivan.email, ivan.tags) == ("Иванов Иван", "ivan@example.com", ["vip", "опт"])
    petro = await Customer.get(external_id="C-002")
    assert [p.e164 for p in await customers.phones_of(petro.id)] == ["+380677654321", "+380502223344"]
    assert petro.notes == "звонить после 18"
    assert [p.e164 for p in await customers.phones_of((await Customer.get(external_id="C-006")).id)] == [
        "+380443334455"]
    assert await CustomerPhone.filter(customer__external_id="C-008").count() == 1
    assert (await Customer.get(id=marina.id)).email == "new@example.com"
    assert not await Customer.filter(external_id__in=["C-003", "C-004", "C-005", "C-007", "C-009"]).exists()
    created = await Activity.filter(action="customer.create", channel="import").count()
    assert created == 4
    assert await Activity.filter(action="customer.update", channel="import", object_id=str(marina.id)).count() == 1

    # The same file again: everything is in the base already.
    again, dry_again = await start(head, path)
    assert dry_again.counts == {"create": 0, "update": 0, "skip": 6, "reject": 5}
    second = await run_job(head, again)
    assert second.counts == dry_again.counts
    assert await Customer.all().count() == 6
    assert await Activity.filter(channel="import", action__startswith="customer.").count() == 5


async def test_error_report_has_the_rejected_rows_with_their_original_cells(head, tmp_path):
    await seed_customers(head)
    job, _ = await start(head, xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS))
    text = engine.error_report(await ImportJob.get(id=job.id)).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "row;outcome;reason;field;value;ID;ФИО;Телефон;Телефон 2;Email;Теги;Примечание"
    assert lines[1] == "4;reject;duplicate_in_file;phone;+380671234567;C-003;Anna Smith;0671234567;;;;"
    assert lines[2] == "5;reject;invalid_phone;phone;12345;C-004;Bad Phone;12345;;;;"
    assert len(lines) == 6
    # The report reads back as a table: fixed rows can be imported from it.
    table = readers.read_bytes(text.encode("utf-8-sig"), file_name="errors.csv")
    assert table.delimiter == ";" and [row.number for row in table.rows] == [2, 3, 4, 5, 6]


async def test_a_killed_run_resumes_after_the_last_committed_batch(head, tmp_path):
    await seed_customers(head)
    job, dry = await start(head, xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS))
    await engine.queue(head, job.id)
    with pytest.raises(RuntimeError):
        await engine.run(job.id, on_progress=crash, batch_size=3)
    interrupted = await ImportJob.get(id=job.id)
    assert (interrupted.status, interrupted.processed_rows, interrupted.created, interrupted.rejected) == (
        "failed", 3, 2, 1)
    assert await Customer.all().count() == 4

    rest = await engine.run(job.id, batch_size=3)
    assert [result.row for result in rest.rows] == [5, 6, 7, 8, 9, 10, 12, 13]
    finished = await ImportJob.get(id=job.id)
    assert (finished.status, finished.processed_rows, finished.created, finished.updated, finished.skipped,
            finished.rejected) == ("done", 11, 4, 1, 1, 5)
    assert [item["row"] for item in finished.report] == [4, 5, 6, 10, 13]
    assert await Customer.all().count() == 6
    assert await Activity.filter(action="customer.create", channel="import").count() == 4
    # A third call (a redelivered message) finds the job done and does nothing.
    assert (await engine.run(job.id)).rows == []


async def test_a_second_runner_of_the_same_job_applies_nothing_twice(head, tmp_path):
    await seed_customers(head)
    job, _ = await start(head, xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS))
    await engine.queue(head, job.id)
    await engine.run(job.id)
    # A stale runner that still believes the job is at row 0 is refused by the compare-and-set on progress.
    await ImportJob.filter(id=job.id).update(status="running")
    stale = await ImportJob.get(id=job.id)
    stale.processed_rows = 0
    handler = engine.HANDLERS["customers"]
    table = readers.read_table(job.path)
    ctx = await engine._context(head, stale, table)
    with pytest.raises(engine._Superseded):
        await engine._run_batch(handler, ctx, stale, 0, engine._prepare(ctx, table)[:3])
    assert await Customer.all().count() == 6


async def test_csv_in_cp1251_with_semicolons(head, tmp_path):
    text = ("Код клиента;Ф.И.О.;Тел.;E-mail;Адрес\r\n"
            "K1;СИДОРОВА АННА;8 (067) 111-22-33;anna@example.com;Київ, Хрещатик 1\r\n"
            "K2;\"Петров; Пётр\";+380 50 999 88 77;;\r\n"
            "K3;Без телефона;;;\r\n")
    path = tmp_path / "base.csv"
    path.write_bytes(text.encode("cp1251"))
    table = readers.read_table(path)
    assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1251", ";")
    assert table.rows[1].values[1] == "Петров; Пётр"

    job, report = await start(head, path)
    assert job.mapping == {"Код клиента": "external_id", "Ф.И.О.": "name", "Тел.": "phone", "E-mail": "email",
                           "Адрес": "address"}
    assert report.outcomes() == [(2, "create", ""), (3, "create", ""), (4, "create", "")]
    await run_job(head, job)
    anna = await Customer.get(external_id="K1")
    assert anna.name == "Сидорова Анна"
    assert [p.e164 for p in await customers.phones_of(anna.id)] == ["+380671112233"]
    assert [a.text for a in await anna.addresses.all()] == ["Київ, Хрещатик 1"]
    assert (await Customer.get(external_id="K2")).name == "Петров; Пётр"


# --- XLS -------------------------------------------------------------------------------------------------------------
# Nothing here writes .xls (xlwt is unmaintained and not a dependency; no LibreOffice on the machines), so the test
# builds one: a BIFF8 workbook stream (BOF, CODEPAGE, BOUNDSHEET, EOF; a sheet of LABEL and NUMBER cells) inside an
# OLE2 compound document — the layout Excel 97–2003 writes, which xlrd reads like any old export.


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _biff_string(text: str, length_bytes: int) -> bytes:
    return struct.pack("<B" if length_bytes == 1 else "<H", len(text)) + b"\x01" + text.encode("utf-16-le")


def biff8_xls(rows: list[list], sheet_name: str = "Лист1") -> bytes:
    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))

    cells = b""
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, int | float):
                cells += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
            elif value is not None:
                cells += _record(0x0204, struct.pack("<HHH", r, c, 0) + _biff_string(str(value), 2))
    width = max(len(values) for values in rows)
    sheet = (bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells
             + _record(0x000A, b""))

    def workbook_globals(sheet_offset: int) -> bytes:
        return (bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
                + _record(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + _biff_string(sheet_name, 1))
                + _record(0x000A, b""))

    stream = workbook_globals(len(workbook_globals(0))) + sheet
    # At least 4096 bytes: smaller streams would live in the mini stream, which this writer does not make.
    stream += b"\x00" * (max(4096, -(-len(stream) // 512) * 512) - len(stream))
    return _compound_document(stream)


def _compound_document(stream: bytes) -> bytes:
    end, free, fat_mark, none = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    sectors = len(stream) // 512
    directory_at = 1 + sectors  # sector 0: the FAT, then the stream, then the directory
    fat = [fat_mark] + [index + 2 for index in range(sectors - 1)] + [end, end]
    fat += [free] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, directory_at, 0, 4096, end, 0, end, 0)
              + struct.pack("<109I", 0, *([free] * 108)))

    def entry(name: str, kind: int, child: int, first: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\x00") + struct.pack("<HBBIII", len(encoded), kind, 1, none, none, child)
                + b"\x00" * 36 + struct.pack("<IQ", first, size))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, none, 1, len(stream))
                 + entry("", 0, none, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + stream + directory


async def test_old_xls(head, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(biff8_xls([
        ["ID", "ПІБ", "Мобільний", "Джерело"],
        ["X1", "КОВАЛЬ ОЛЕНА", 380671112244, "сайт"],
        ["X2", "Бойко Андрій", "063-222-33-44", None],
        [None, None, None, None],
        ["X3", "Без номера", "000", None],
    ]))
    table = readers.read_table(path)
    assert (table.format, table.sheet) == ("xls", "Лист1")
    assert [row.number for row in table.rows] == [2, 3, 5]
    assert table.rows[0].values == ("X1", "КОВАЛЬ ОЛЕНА", 380671112244, "сайт")

    job, report = await start(head, path)
    assert job.entity == "customers"
    assert report.outcomes() == [(2, "create", ""), (3, "create", ""), (5, "reject", "invalid_phone")]
    await run_job(head, job)
    olena = await Customer.get(external_id="X1")
    assert (olena.name, olena.source) == ("Коваль Олена", "сайт")


# --- vehicles --------------------------------------------------------------------------------------------------------

VEHICLE_ROWS = [
    ["VIN", "Госномер", "Марка", "Модель", "Год", "Телефон владельца"],
    ["wvw zzz1kz 6w612345", "аа 1234 вв", "Volkswagen", "Golf", 2006, "050 111 22 33"],   # 2
    ["WVWZZZ1KZ6WO12345", None, "Volkswagen", "Golf", 2006, None],                      # 3 letter O
    ["WVWZZZ1KZ", None, "Volkswagen", None, None, None],                                # 4 too short
    ["WVW-ZZZ-1KZ-6W612345", "KA0001AA", None, None, None, None],                       # 5 = row 2
    ["XTA21093OY2765432", None, "Lada", None, None, None],                              # 6 O again
    ["XTA210930Y2765432", "ка 7777 ак", "Lada", "21093", "2000", None],                 # 7 in base, new plate
    ["JTDBR32E530012345", None, "Toyota", "Corolla", 2003, "067 111 22 99"],            # 8 unknown owner
    [None, "ВС 5555 ВС", "Renault", "Logan", datetime(2012, 1, 1), None],               # 9 plate only
    [None, None, "Skoda", None, None, None],                                            # 10 nothing to know it by
    ["SALLAAA146A123456", None, "Land Rover", None, 1850, None],                        # 11
]


async def test_vehicles_dry_run_run_and_rerun(head, tmp_path):
    oleg, _ = await seed_customers(head)
    lada = await vehicles.create_vehicle(head, vin="XTA210930Y2765432", plate="AA0000AA", make="Lada",
                                         model="21093", year=2000)
    path = xlsx(tmp_path / "cars.xlsx", VEHICLE_ROWS)
    job, report = await start(head, path)
    assert job.entity == "vehicles"
    assert report.outcomes() == [
        (2, "create", ""),
        (3, "reject", "vin_forbidden_letters"),
        (4, "reject", "vin_length"),
        (5, "reject", "duplicate_in_file"),
        (6, "reject", "vin_forbidden_letters"),
        (7, "update", ""),
        (8, "reject", "owner_not_found"),
        (9, "create", ""),
        (10, "reject", "identity_required"),
        (11, "reject", "invalid_year"),
    ]
    by_row = {result.row: result for result in report.rows}
    assert (by_row[3].field, by_row[3].value) == ("vin", "WVWZZZ1KZ6WO12345")
    assert (by_row[5].value, by_row[5].other_row) == ("WVWZZZ1KZ6W612345", 2)
    assert (by_row[7].match, by_row[7].changes) == ("vin", ("plate",))
    assert (by_row[8].field, by_row[8].value) == ("owner_phone", "+380671112299")

    done = await run_job(head, job)
    assert done.outcomes() == report.outcomes()
    golf = await Vehicle.get(vin="WVWZZZ1KZ6W612345")
    assert (golf.plate, golf.year) == ("AA1234BB", 2006)
    assert (await vehicles.current_ownership(golf.id)).customer_id == oleg.id
    assert (await Vehicle.get(id=lada.id)).plate == "KA7777AK"
    assert (await Vehicle.get(plate="BC5555BC")).year == 2012
    assert await Activity.filter(action="vehicle.update", channel="import", object_id=str(lada.id)).exists()

    again, rerun = await start(head, path)
    assert rerun.counts == {"create": 0, "update": 0, "skip": 3, "reject": 7}
    await run_job(head, again)
    assert await Vehicle.all().count() == 3 and await VehicleOwnership.all().count() == 1


# --- cards -----------------------------------------------------------------------------------------------------------

CARD_ROWS = [
    ["ID", "Название", "Телефон клиента", "Клиент", "Этап", "Бюджет", "КП до"],
    ["D-1", "Сайт для пекарни", "050 111 22 33", None, "new", "1 500,50 грн", 45123],        # 2
    ["D-2", "Ремонт офиса", "099 888 77 66", "ГРИЦЕНКО ПАВЛО", "Связались", 2000, "01.08.2024"],  # 3
    ["D-3", "Что-то", "050 111 22 33", None, "nowhere", None, None],                         # 4
    ["D-4", "Бюджет словами", None, None, None, "много", None],                              # 5
    ["D-1", "Повтор", None, None, None, None, None],                                         # 6
    ["D-5", "Плохая дата", None, None, None, None, "31.02.2024"],                            # 7
    ["D-0", "Старая сделка", None, None, None, 999, None],                                   # 8 in base
]


async def test_cards_dry_run_run_and_rerun(head, tmp_path):
    oleg, _ = await seed_customers(head)
    from core import pipelines

    old = await pipelines.create_card(head, "sales", title="Старая сделка", external_id="D-0",
                                      fields={"budget": "100"})
    path = xlsx(tmp_path / "deals.xlsx", CARD_ROWS)
    job, report = await start(head, path, options={"pipeline": "sales"})
    assert job.entity == "cards"
    assert job.mapping == {"ID": "external_id", "Название": "title", "Телефон клиента": "customer_phone",
                           "Клиент": "customer_name", "Этап": "stage", "Бюджет": "fields.budget",
                           "КП до": "fields.proposal_due"}
    assert report.outcomes() == [
        (2, "create", ""),
        (3, "create", ""),
        (4, "reject", "unknown_stage"),
        (5, "reject", "field_invalid"),
        (6, "reject", "duplicate_in_file"),
        (7, "reject", "field_invalid"),
        (8, "update", ""),
    ]
    by_row = {result.row: result for result in report.rows}
    assert (by_row[5].field, by_row[5].value) == ("fields.budget", "много")
    assert (by_row[7].field, by_row[7].value) == ("fields.proposal_due", "31.02.2024")
    assert by_row[8].changes == ("fields",)

    done = await run_job(head, job)
    assert done.outcomes() == report.outcomes()
    bakery = await Card.get(external_id="D-1").prefetch_related("stage")
    assert bakery.customer_id == oleg.id
    assert bakery.fields_data == {"budget": "1500.50", "proposal_due": "2023-07-16"}
    office = await Card.get(external_id="D-2").prefetch_related("stage", "customer")
    assert office.stage.key == "contacted" and office.customer.name == "Гриценко Павло"
    assert office.fields_data == {"budget": "2000.00", "proposal_due": "2024-08-01"}
    assert (await Card.get(id=old.id)).fields_data["budget"] == "999.00"

    again, rerun = await start(head, path, options={"pipeline": "sales"})
    assert rerun.counts == {"create": 0, "update": 0, "skip": 3, "reject": 4}
    await run_job(head, again)
    assert await Card.all().count() == 3


async def test_a_move_guard_rejects_the_row_with_its_rule(head, tmp_path):
    from core import pipelines
    from models import Transition

    await Transition.filter(key="contact").update(guards=[{"field": "proposal_due"}])
    await pipelines.create_card(head, "sales", title="Старая сделка", external_id="D-0", fields={"budget": "100"})
    path = xlsx(tmp_path / "moves.xlsx", [["ID", "Этап", "КП до"], ["D-0", "Связались", None]])
    job, _ = await start(head, path, options={"pipeline": "sales"})
    done = await run_job(head, job)
    assert done.outcomes() == [(2, "reject", "guard")]
    assert done.rows[0].value == "сначала заполните поле «КП до»."  # the rule, in the import's language
    card = await Card.get(external_id="D-0").prefetch_related("stage")
    assert card.stage.key == "new" and card.version == 1


async def test_a_cell_s_time_is_the_business_clock_and_is_kept_in_utc(head, tmp_path):
    path = xlsx(tmp_path / "calls.xlsx", [
        ["ID", "Название", "Следующий звонок"],
        ["N-1", "Excel", datetime(2024, 7, 16, 10, 30)],
        ["N-2", "Текст", "01.12.2024 14:30"],
    ])
    job, report = await start(head, path, options={"pipeline": "sales", "timezone": "America/New_York"})
    assert job.mapping["Следующий звонок"] == "fields.next_call"
    assert report.outcomes() == [(2, "create", ""), (3, "create", "")]
    await run_job(head, job)
    calls = {card.external_id: card.fields_data["next_call"] for card in await Card.all()}
    # New York: UTC-4 in July, UTC-5 in December.
    assert calls == {"N-1": "2024-07-16T14:30:00+00:00", "N-2": "2024-12-01T19:30:00+00:00"}


# --- the parts -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("ИВАНОВ  ИВАН", "Иванов Иван"),
    ("ИВАНОВ-ПЕТРОВ И.И.", "Иванов-Петров И.И."),
    ("ПИЛИП'ЮК ОЛЕНА", "Пилип'юк Олена"),
    ('ТОВ "ВЕКТОР"', 'ТОВ "Вектор"'),
    ("  Олег   Петренко ", "Олег Петренко"),
    ("McDonald", "McDonald"),
])
def test_names(raw, clean):
    assert engine.clean_name(raw) == clean


@pytest.mark.parametrize(("raw", "value"), [
    (45123, "2023-07-16"), ("45123", "2023-07-16"), (45123.75, "2023-07-16"), ("01.08.2024", "2024-08-01"),
    ("1.8.24", "2024-08-01"), ("2024-08-01", "2024-08-01"), (datetime(2024, 8, 1, 0, 0), "2024-08-01"),
])
def test_dates(raw, value):
    assert engine.parse_date(raw).isoformat() == value


@pytest.mark.parametrize(("raw", "value"), [
    ("1 500,50 грн", "1500.50"), ("₴1,500.50", "1500.50"), ("1.500,50", "1500.50"), ("1,5", "1.5"),
    ("1 000 000", "1000000"), ("(100)", "-100"), (1500.5, "1500.5"), (12, "12"), ("$ 99.99", "99.99"),
])
def test_money(raw, value):
    assert str(engine.parse_money(raw)) == value


def test_phones_in_one_cell_and_in_number_cells():
    assert engine.clean_phones(["+38 (067) 123-45-67, 050 111 22 33 / 063 000 11 22", 380671234567, 671234567],
                               UA) == ["+380671234567", "+380501112233", "+380630001122"]


def test_mapping_guess_and_entity():
    assert mapping.guess_entity(["Марка", "Модель", "VIN", "Телефон"]) == "vehicles"
    assert mapping.guess_entity(["Имя", "Телефон", "E-mail"]) == "customers"
    assert mapping.guess_entity(["Телефон", "Сумма"]) is None
    assert mapping.guess_mapping("customers", ["Phone (work)", "Mobile", "Full name"]) == {
        "Phone (work)": "phone", "Mobile": "phone", "Full name": "name"}
    with pytest.raises(mapping.MappingError) as refused:
        mapping.check_mapping("customers", {"Телефон": "phone"}, ["Телефон"])
    assert (refused.value.reason, refused.value.field) == ("field_required", "name")
    assert mapping.parse_map_options("cards", ["Сумма=budget", "Лишнее="],
                                     [mapping.CustomField("budget", {})]) == {"Сумма": "fields.budget", "Лишнее": ""}


async def test_import_needs_the_permission(db, tmp_path):
    await load_pack("generic", with_demo=False)
    boris = await Staff.create(name="Борис Мельник")
    await boris.roles.add(await Role.get(key="manager"))
    manager = await load_actor(boris, channel="import")
    from core.permissions import Denied

    with pytest.raises(Denied):
        await engine.create_job(manager, xlsx(tmp_path / "c.xlsx", CUSTOMER_ROWS), options=OPTIONS)


async def test_a_changed_file_is_not_run(head, tmp_path):
    path = xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS)
    job, _ = await start(head, path)
    await engine.queue(head, job.id)
    xlsx(path, CUSTOMER_ROWS[:3])
    await engine.run(job.id)
    job = await ImportJob.get(id=job.id)
    assert job.status == "failed" and job.error.startswith("file_changed")
    assert await Customer.all().count() == 0
    with pytest.raises(ImportJobError):
        await engine.queue(head, job.id)


async def test_cli_checks_then_imports_with_a_progress_bar(head, settings, tmp_path):
    import argparse
    import io

    from estafeta import imports_cli

    path = xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS)
    out = io.StringIO()
    args = argparse.Namespace(file=path, entity=None, pipeline=None, map_items=["Примечание="], dry_run=True,
                              login=None, batch=4)
    assert await imports_cli._run(settings, args, out) == 0
    printed = out.getvalue()
    assert "Columns: ID → external ID; ФИО → name; Телефон → phone; Телефон 2 → phone; Email → e-mail; " in printed
    assert "create 6, update 0, skip 0 (unchanged), reject 5" in printed
    assert "Row 5: not a phone number (phone) «12345»  [invalid_phone]" in printed
    assert await Customer.all().count() == 0

    out = io.StringIO()
    args.dry_run, args.entity = False, "customers"
    assert await imports_cli._run(settings, args, out) == 0
    printed = out.getvalue()
    assert "\r[##########--------------------] 4/11 rows" in printed and "] 11/11 rows\n" in printed
    report = tmp_path / f"clients-import-{(await ImportJob.filter(status='done').first()).id}-errors.csv"
    assert f"Error report (5 rejected rows): {report}" in printed and report.exists()
    assert await Customer.all().count() == 6
    assert not await Customer.filter(notes__not="").exists()  # the notes column was left out
    assert await Activity.filter(action="customer.create", channel="import", actor_id__isnull=True).count() == 6


async def test_the_sweep_sends_a_stalled_import_again(head, tmp_path, monkeypatch):
    from jobs import actors
    from jobs.imports import ImportSweep

    sent = []
    monkeypatch.setattr(actors, "send", lambda name, *args: sent.append((name, *args)))
    job, _ = await start(head, xlsx(tmp_path / "clients.xlsx", CUSTOMER_ROWS))
    await engine.queue(head, job.id)
    with pytest.raises(RuntimeError):
        await engine.run(job.id, on_progress=crash, batch_size=3)
    await ImportJob.filter(id=job.id).update(status="running")  # as a kill -9 would leave it
    one, other = ImportSweep(stall_seconds=0), ImportSweep(stall_seconds=0)
    assert await one() == [] and await other() == []  # first sighting
    assert await one() == [job.id] and sent == [("import_run", job.id)]
    assert await other() == []  # the job moved on (queued again): nothing to do twice
    assert (await ImportJob.get(id=job.id)).status == "queued"
    await engine.run(job.id)
    finished = await ImportJob.get(id=job.id)
    assert (finished.status, finished.processed_rows, finished.created) == ("done", 11, 6)
    assert await one() == []
