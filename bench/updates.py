"""End-to-end webhook bench: simulated Telegram users against Estafeta running in its own process(es), beside a
plain aiogram bot (bench/baseline_bot.py) under the same load.

    .venv/bin/python bench/updates.py [--scenario stranger|manager|all] [--people 32] [--seconds 20]
                                      [--rate 100] [--processes 2] [--skip-baseline] [--suite]

How it works
  * The bot runs as `estafeta web` (ESTAFETA__TELEGRAM__MODE=webhook) on PostgreSQL (a fresh database per run) and
    Redis db 14 (flushed per run). Its Bot API base points at a fake Bot API served by this driver on 127.0.0.1,
    which answers like Telegram and records every call.
  * Each simulated person is one Telegram user in a private chat. Closed loop (default): a person posts an update
    to the webhook (with the secret header) and waits until the bot has answered it before posting the next one.
    Open loop (--rate R): updates are started at a fixed R per second, each by a person who is not waiting for an
    answer (R people by default, so each writes about once a second); latency counts from the scheduled moment,
    so a backlog shows in the figures instead of slowing the load down.
  * Latency = from the POST to the first reply: the first call to a reply method (send*, edit*,
    answerCallbackQuery, deleteMessage) addressed to that person's chat (chat_id) or answering that person's
    callback query. setMyCommands and sendChatAction are not replies. It does not matter whether the bot calls
    the API from its handler or from an outbox after the commit.
  * A step is complete (and the person moves on) when: a text — the first message sent or edited; a button press —
    the query answered plus a message sent or edited, or an alert answer; /menu and /start inv_… — the message
    carrying the main menu's buttons. "done p99" in the table is the latency to that point. A step not complete
    within --timeout counts as an error (the person then starts over with /menu).
  * Throughput = steps posted inside the measured window (after --warmup) and completed, per second of window (or
    until the last of them completed, when an open loop's backlog outlasts the window).

Scenarios
  stranger  people the bot does not know write free text; the bot answers asking for an invite.
  manager   staff with the manager role (generic pack; each joins through its own invite, `/start inv_<token>`,
            before the window; each gets --cards cards in the Sales pipeline) repeat: /menu, the "My tasks" button,
            free text, the "My cards" button, the newest card's button, a move button — pressing the exact
            callback data of the keyboards the bot sent. A card's first move is its first non-reject transition
            (New → Contacted); its second is the rejection, which asks for a reason that the person then types
            (one more step). So a card lasts two cycles and the mix repeats exactly.
  baseline  the same people against bench/baseline_bot.py, writing free text (read a client row, insert a log row,
            sendMessage). It runs under the same load (closed loop or --rate, same process count).

--suite runs what the issue's targets need: both scenarios and the baseline in a closed loop, both scenarios at a
steady --rate (default 100/s), and the manager mix with 2 processes (beside the 1-process figure). An open loop
that falls more than --timeout behind its rate stops there: the steps it did not start count as failed, which
makes its p99 infinite. `make bench` runs the suite.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.databases import fresh_database  # noqa: E402
from bench.harness import (  # noqa: E402
    BOT_TOKEN,
    HOST,
    WEBHOOK_SECRET,
    ChildDied,
    Children,
    Exchange,
    FakeBotAPI,
    Person,
    estafeta_env,
    flush_redis,
    free_port,
    keyboard_done,
    percentile,
    press_done,
    reply_done,
    reset_update_ids,
)

WEBHOOK_PATH = "/telegram/webhook"
STRANGER_TEXTS = ("Здравствуйте! Когда будет готов мой заказ?", "Добрый день, хочу записаться на ремонт",
                  "Сколько стоит доставка?")
MANAGER_TEXT = "Добрый день, что по счёту для клиента?"
REASON_TEXT = "Клиент выбрал другого подрядчика"
CYCLE = ("menu", "tasks", "text", "cards", "card", "move")

# Targets of issue 11.
TARGET_VS_BASELINE = 1.0
TARGET_P99_CLOSED_MS = 300.0
TARGET_P99_RATE_MS = 50.0
TARGET_SCALING = 1.7


# --- the people -------------------------------------------------------------------------------------------


class Stranger(Person):
    """Writes free text, again and again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = 0
        self.anomalies: Counter[str] = Counter()

    async def step(self, http, *, patience: float, scheduled: float | None = None) -> Exchange:
        self.count += 1
        update = self.text_update(STRANGER_TEXTS[self.count % len(STRANGER_TEXTS)])
        return await self.exchange(http, "text", update, reply_done, patience=patience, scheduled=scheduled)


def _buttons(message: dict[str, Any] | None) -> list[str]:
    markup = (message or {}).get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row if "callback_data" in b]


def _message_with(exchange: Exchange, prefix: str) -> dict[str, Any] | None:
    """The newest message of this step's replies that carries a button starting with `prefix`."""
    for call in reversed(exchange.calls):
        if call.is_send_or_edit and isinstance(call.result, dict) and any(
                data.startswith(prefix) for data in call.callback_data()):
            return call.result
    return None


class Manager(Person):
    """A staff member with the manager role going through the menu, tasks, cards and moves (see the module doc)."""

    def __init__(self, *args, invite: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.invite = invite
        self.plan: deque[str] = deque()
        self.menu: dict[str, Any] | None = None
        self.cards_list: dict[str, Any] | None = None
        self.card: dict[str, Any] | None = None
        self.moved_once: set[int] = set()
        self.anomalies: Counter[str] = Counter()

    async def join(self, http, patience: float) -> Exchange:
        result = await self.exchange(http, "join", self.text_update(f"/start {self.invite}"), keyboard_done("m1:"),
                                     patience=patience)
        self.menu = _message_with(result, "m1:")
        return result

    def _current(self, message: dict[str, Any] | None) -> dict[str, Any] | None:
        """The message as the chat shows it now (edits included), as a client would send it with a press."""
        return None if message is None else (self.message(message["message_id"]) or message)

    async def _press(self, http, kind: str, message: dict[str, Any], data: str, patience: float,
                     scheduled: float | None) -> Exchange:
        update, query_id = self.press_update(self._current(message), data)
        return await self.exchange(http, kind, update, press_done(query_id), patience=patience, scheduled=scheduled)

    def _skip(self, why: str) -> None:
        self.anomalies[why] += 1
        self.plan.clear()  # start over with /menu

    async def step(self, http, *, patience: float, scheduled: float | None = None) -> Exchange:
        if not self.plan:
            self.plan.extend(CYCLE)
        name = self.plan.popleft()
        if name != "menu" and name not in ("text", "reason") and self.menu is None:
            self.plan.appendleft(name)
            name = "menu"
        if name == "menu":
            result = await self.exchange(http, "menu", self.text_update("/menu"), keyboard_done("m1:"),
                                         patience=patience, scheduled=scheduled)
            self.menu = _message_with(result, "m1:") or self.menu
        elif name == "text":
            result = await self.exchange(http, "text", self.text_update(MANAGER_TEXT), reply_done, patience=patience,
                                         scheduled=scheduled)
        elif name == "reason":
            result = await self.exchange(http, "reason", self.text_update(REASON_TEXT), reply_done,
                                         patience=patience, scheduled=scheduled)
        elif name in ("tasks", "cards"):
            data = f"m1:{name}"
            if data not in _buttons(self._current(self.menu)):
                self.anomalies[f"menu without {name}"] += 1
                data = next((d for d in _buttons(self._current(self.menu)) if d.startswith("m1:")), data)
            result = await self._press(http, name, self.menu, data, patience, scheduled)
            if name == "cards":
                self.cards_list = _message_with(result, "c1:open:")
                if result.ok and self.cards_list is None:
                    self._skip("no card left to open")
        elif name == "card":
            opens = [d for d in _buttons(self._current(self.cards_list)) if d.startswith("c1:open:")]
            if not opens:
                self._skip("cards list without a card")
                return await self.step(http, patience=patience, scheduled=scheduled)
            result = await self._press(http, "card", self.cards_list, opens[0], patience, scheduled)
            self.card = _message_with(result, "c2:")
            if result.ok and self.card is None:
                self._skip("card without a move")
        else:  # move
            moves = [d for d in _buttons(self._current(self.card)) if d.startswith("c2:")]
            # MoveCb: c2:<card>:<transition>:<version>
            card_id = int(moves[0].split(":")[1]) if moves else 0
            if card_id in self.moved_once:
                chosen = next((d for d in moves if d.split(":")[2].startswith("reject")), None)
            else:
                chosen = next((d for d in moves if not d.split(":")[2].startswith("reject")), None)
            if chosen is None:
                self._skip("no suitable move button")
                return await self.step(http, patience=patience, scheduled=scheduled)
            result = await self._press(http, "move", self.card, chosen, patience, scheduled)
            if result.ok:
                if card_id in self.moved_once:
                    self.plan.appendleft("reason")
                self.moved_once.add(card_id)
        if not result.ok:
            self.plan.clear()
        return result


# --- one run -----------------------------------------------------------------------------------------------


@dataclass
class RunSpec:
    scenario: str  # stranger | manager | baseline
    processes: int
    people: int
    rate: float | None  # None: closed loop


@dataclass
class RunResult:
    spec: RunSpec
    exchanges: list[Exchange]
    seconds: float
    window_start: float
    cpu: dict[str, float]
    anomalies: Counter = field(default_factory=Counter)
    unaddressed: int = 0
    setup_note: str = ""

    @property
    def ok(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.ok]

    @property
    def rate(self) -> float:
        """Completed steps per second, from the window's start until the last of them completed (an open loop
        that falls behind finishes its backlog after the window: the rate is what the bot achieved)."""
        if not self.ok:
            return 0.0
        return len(self.ok) / max(max(e.done for e in self.ok) - self.window_start, 1e-3)

    def p(self, fraction: float, done: bool = False) -> float:
        """A percentile over every measured step; one that failed (timed out, never started) counts as
        infinitely late, so more than 1% failures make p99 infinite."""
        return percentile([(e.done_ms if done else e.latency_ms) if e.ok else math.inf for e in self.exchanges],
                          fraction)

    @property
    def errors(self) -> int:
        return len(self.exchanges) - len(self.ok)

    @property
    def late(self) -> int:
        return sum(1 for e in self.exchanges if e.kind != "not started" and e.posted - e.scheduled > 0.010)


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        fields_ = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields_[11]) + int(fields_[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def cpu_snapshot(bot_pids: list[int]) -> dict[str, float]:
    """CPU seconds so far: the bot processes, PostgreSQL, this driver, and the whole machine."""
    try:
        busy = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        box = (sum(busy) - busy[3] - (busy[4] if len(busy) > 4 else 0)) / TICKS  # minus idle and iowait
    except (OSError, ValueError):
        box = 0.0
    return {"bot": sum(_cpu_seconds(pid) for pid in bot_pids),
            "pg": sum(_cpu_seconds(pid) for pid in _postgres_pids()),
            "driver": time.process_time(), "box": box, "at": time.perf_counter()}


def cpu_usage(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Percent of one core over the interval; `other` is whatever else ran on the machine meanwhile."""
    elapsed = max(after["at"] - before["at"], 1e-9)
    usage = {key: (after[key] - before[key]) / elapsed * 100 for key in ("bot", "pg", "driver", "box")}
    usage["other"] = max(0.0, usage["box"] - usage["bot"] - usage["pg"] - usage["driver"])
    return usage


async def prepare_estafeta_db(db_url: str, managers: list[int]) -> dict[int, str]:
    """Migrates, loads the generic pack (with its demo people) and issues one manager invite per person."""
    from tortoise import Tortoise

    from core.db import migrate, tortoise_config
    from core.identity import create_invite
    from core.packs import load_pack

    await migrate(db_url)
    await Tortoise.init(config=tortoise_config(db_url))
    try:
        await load_pack("generic", with_demo=True)
        invites = {}
        for user_id in managers:
            issued = await create_invite("manager", ttl_hours=24, name=f"Менеджер {user_id}", channel="system")
            invites[user_id] = issued.start_parameter
        return invites
    finally:
        await Tortoise.close_connections()


async def create_cards(db_url: str, managers: list[int], per_person: int) -> None:
    """Each manager's own cards in the Sales pipeline, made as the manager through the engine (no 'new task'
    message: the people's chats must carry only answers to what they post)."""
    from tortoise import Tortoise

    from core.db import tortoise_config
    from core.permissions import load_actor
    from core.pipelines import create_card
    from models import Staff

    await Tortoise.init(config=tortoise_config(db_url))
    try:
        gate = asyncio.Semaphore(8)

        async def cards_of(user_id: int) -> None:
            async with gate:
                staff = await Staff.get(telegram_id=user_id)
                actor = await load_actor(staff, channel="bench")
                for index in range(per_person):
                    await create_card(actor, "sales", title=f"Заказ {index + 1}", fields={"budget": "1000"},
                                      announce=False)

        await asyncio.gather(*(cards_of(user_id) for user_id in managers))
    finally:
        await Tortoise.close_connections()


async def closed_loop(people, http, warmup: float, seconds: float, patience: float) -> tuple[list[Exchange], float]:
    began = time.perf_counter()
    window = (began + warmup, began + warmup + seconds)
    results: list[Exchange] = []

    async def loop(person) -> None:
        while time.perf_counter() < window[1]:
            results.append(await person.step(http, patience=patience))

    await asyncio.gather(*(loop(person) for person in people))
    return [e for e in results if e.posted >= window[0]], window[0]


async def open_loop(people, http, rate: float, warmup: float, seconds: float,
                    patience: float) -> tuple[list[Exchange], float]:
    idle: asyncio.Queue = asyncio.Queue()
    for person in people:
        idle.put_nowait(person)
    results: list[Exchange] = []
    tasks: set[asyncio.Task] = set()
    began = time.perf_counter() + 0.05
    window_start = began + warmup

    async def one(person, scheduled: float) -> None:
        try:
            results.append(await person.step(http, patience=patience, scheduled=scheduled))
        finally:
            idle.put_nowait(person)

    total = int((warmup + seconds) * rate)
    for index in range(total):
        scheduled = began + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        person = await idle.get()  # all busy: this update starts late, and the wait counts in its latency
        if time.perf_counter() - scheduled > patience:
            # The bot fell more than `patience` behind the rate: the rest would only lengthen the backlog.
            idle.put_nowait(person)
            now = time.perf_counter()
            results.extend(Exchange("not started", began + later / rate, now, error="fell behind the rate")
                           for later in range(index, total))
            break
        task = asyncio.create_task(one(person, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*list(tasks))
    return [e for e in results if e.scheduled >= window_start], window_start


async def watch(children: Children) -> None:
    while True:
        children.check_alive()
        await asyncio.sleep(0.5)


async def run_one(spec: RunSpec, args, log_root: Path) -> RunResult:
    reset_update_ids()
    baseline = spec.scenario == "baseline"
    db_url = await fresh_database("estafeta_bench_baseline" if baseline else "estafeta_bench_updates")
    bot_db_url = f"{db_url}?{args.db_options}" if args.db_options else db_url
    await flush_redis()
    api = FakeBotAPI()
    await api.start()
    data_dir = Path(tempfile.mkdtemp(prefix="estafeta-bench-"))
    base_id = 7_000_000 if spec.scenario == "manager" else 8_000_000
    user_ids = [base_id + index for index in range(spec.people)]
    invites = await prepare_estafeta_db(db_url, user_ids if spec.scenario == "manager" else []) \
        if not baseline else {}
    note = ""
    try:
        async with Children(log_root / f"{spec.scenario}-{spec.processes}p-{spec.rate or 'closed'}") as children:
            endpoints = []
            for index in range(spec.processes):
                port = free_port()
                if baseline:
                    argv = [sys.executable, "bench/baseline_bot.py", "--port", str(port), "--db", bot_db_url,
                            "--api-base", api.base_url, "--token", BOT_TOKEN, "--secret", WEBHOOK_SECRET,
                            "--path", WEBHOOK_PATH]
                    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
                else:
                    argv = [sys.executable, "-m", "estafeta", args.command]
                    env = estafeta_env(db_url=bot_db_url, port=port, api_base=api.base_url,
                                       data_dir=data_dir / f"p{index}")
                child = children.add(f"{'baseline' if baseline else 'estafeta'}-{index}", argv, env,
                                     f"http://{HOST}:{port}/healthz")
                await child.start()
                # One after the other: the first one migrates the database.
                await child.wait_healthy(args.start_timeout)
                endpoints.append(f"http://{HOST}:{port}{WEBHOOK_PATH}")
            kind = Manager if spec.scenario == "manager" else Stranger
            people = [kind(api, user_id, f"Человек {user_id % 10_000}", endpoints[index % len(endpoints)],
                           **({"invite": invites[user_id]} if kind is Manager else {}))
                      for index, user_id in enumerate(user_ids)]
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector,
                                             timeout=aiohttp.ClientTimeout(total=args.timeout)) as http:
                if spec.scenario == "manager":
                    setup_started = time.perf_counter()
                    joined = await asyncio.gather(*(p.join(http, args.timeout * 3) for p in people))
                    failed = [e for e in joined if not e.ok or p_menu_missing(e)]
                    if failed:
                        raise RuntimeError(f"{len(failed)} of {len(people)} managers could not join by invite "
                                           f"({failed[0].error or 'no menu in the answer'}); log: "
                                           f"{children.items[0].log_path}")
                    per_person = args.cards or cards_needed(spec, args)
                    await create_cards(db_url, user_ids, per_person)
                    note = (f"{len(people)} managers joined by invite, {per_person} cards each, "
                            f"setup {time.perf_counter() - setup_started:.1f} s")
                pids = [child.proc.pid for child in children.items]
                load = (open_loop(people, http, spec.rate, args.warmup, args.seconds, args.timeout)
                        if spec.rate else closed_loop(people, http, args.warmup, args.seconds, args.timeout))
                load_task = asyncio.ensure_future(load)
                watcher = asyncio.ensure_future(watch(children))
                cpu_before: dict[str, float] | None = None
                window_wait = asyncio.ensure_future(asyncio.sleep(args.warmup + (0.05 if spec.rate else 0)))
                try:
                    done, _ = await asyncio.wait({load_task, watcher, window_wait},
                                                 return_when=asyncio.FIRST_COMPLETED)
                    if window_wait in done:
                        cpu_before = cpu_snapshot(pids)
                        done, _ = await asyncio.wait(
                            {load_task, watcher}, return_when=asyncio.FIRST_COMPLETED,
                            timeout=args.warmup + args.seconds + args.timeout * 3 + 30)
                    if watcher in done:
                        watcher.result()
                    if load_task not in done:
                        raise TimeoutError("the load did not finish in time")
                    exchanges, window_start = load_task.result()
                    cpu = cpu_usage(cpu_before, cpu_snapshot(pids)) if cpu_before else {}
                finally:
                    for task in (load_task, watcher, window_wait):
                        task.cancel()
            anomalies: Counter = Counter()
            for person in people:
                anomalies.update(person.anomalies)
            for exchange in exchanges:
                if not exchange.ok:
                    anomalies[exchange.error.split(":")[0] or "error"] += 1
            return RunResult(spec, exchanges, args.seconds, window_start, cpu, anomalies, api.unaddressed_replies, note)
    finally:
        await api.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def p_menu_missing(exchange: Exchange) -> bool:
    return not any(c.is_send_or_edit and any(d.startswith("m1:") for d in c.callback_data())
                   for c in exchange.calls)


def cards_needed(spec: RunSpec, args) -> int:
    """A card lasts two cycles (13 steps). Generous: up to 12 steps a second per person in a closed loop."""
    per_second = spec.rate / spec.people if spec.rate else 12
    steps = (args.warmup + args.seconds) * per_second
    return min(60, 4 + math.ceil(steps / 13))


# --- report ------------------------------------------------------------------------------------------------


LABELS = {"stranger": "stranger text", "manager": "manager mix", "baseline": "baseline aiogram"}


def ms(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.1f}"


def describe(result: RunResult) -> str:
    spec = result.spec
    load = f"{spec.rate:g}/s" if spec.rate else "closed"
    cpu = "".join(f" {result.cpu[key]:5.0f}%" if key in result.cpu else "      ?"
                  for key in ("bot", "pg", "driver", "other"))
    return (f"{LABELS[spec.scenario]:<17} {spec.processes:>5} {load:>7} {spec.people:>6} {result.rate:9.1f} "
            f"{ms(result.p(0.5)):>8} {ms(result.p(0.99)):>8} {ms(result.p(0.99, done=True)):>9} {result.errors:>6} "
            f"{cpu}")


def step_breakdown(result: RunResult) -> str:
    kinds: dict[str, list[float]] = {}
    for exchange in result.ok:
        kinds.setdefault(exchange.kind, []).append(exchange.latency_ms)
    return "  ".join(f"{kind} {percentile(v, 0.5):.0f}/{percentile(v, 0.99):.0f}" for kind, v in kinds.items())


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(results: list[RunResult], args) -> None:
    print()
    print(f"{'run':<17} {'procs':>5} {'load':>7} {'people':>6} {'updates/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'done p99':>9} {'errors':>6} {'CPU: bot':>9} {'pg':>6} {'driver':>6} {'other':>6}")
    for result in results:
        print(describe(result))
    for result in results:
        if result.spec.scenario == "manager":
            load = f"{result.spec.rate:g}/s" if result.spec.rate else "closed"
            print(f"  manager mix ({result.spec.processes}p, {load}) p50/p99 ms by step: {step_breakdown(result)}")
        extras = dict(result.anomalies)
        if result.late:
            extras["started late (>10 ms)"] = result.late
        if result.unaddressed:
            extras["calls to other chats"] = result.unaddressed
        if extras:
            print(f"  {LABELS[result.spec.scenario]} ({result.spec.processes}p): "
                  + ", ".join(f"{k}: {v}" for k, v in extras.items()))

    def find(scenario: str, processes: int = 1, rate: float | None = None) -> RunResult | None:
        return next((r for r in results if r.spec.scenario == scenario and r.spec.processes == processes
                     and r.spec.rate == rate), None)

    lines = []
    for scenario in ("stranger", "manager"):
        # Throughput is compared in a closed loop only: at a fixed rate both bots do the rate they are given.
        processes = 1 if args.suite else args.processes
        ours, base = find(scenario, processes, None), find("baseline", processes, None)
        if ours and base:
            ratio = ours.rate / base.rate
            target = f"target ≥ {TARGET_VS_BASELINE:.1f}×  {verdict(ratio >= TARGET_VS_BASELINE)}" \
                if scenario == "manager" else "(no target)"
            lines.append(f"{LABELS[scenario]} / baseline updates/s: {ratio:5.2f}×   {target}")
    for scenario in ("stranger", "manager"):
        ours = find(scenario, 1, None)
        if ours and ours.spec.people == 32:
            p99 = ours.p(0.99)
            lines.append(f"{LABELS[scenario]} p99 at 32 people: {p99:6.1f} ms   "
                         f"target ≤ {TARGET_P99_CLOSED_MS:.0f} ms  {verdict(p99 <= TARGET_P99_CLOSED_MS)}")
    for result in results:
        if result.spec.rate == 100 and result.spec.scenario != "baseline":
            p99 = result.p(0.99)
            lines.append(f"{LABELS[result.spec.scenario]} p99 at a steady 100 updates/s ({result.spec.processes}p): "
                         f"{p99:6.1f} ms   target ≤ {TARGET_P99_RATE_MS:.0f} ms  {verdict(p99 <= TARGET_P99_RATE_MS)}")
    for result in results:
        if result.spec.processes > 1 and result.spec.scenario != "baseline":
            one = find(result.spec.scenario, 1, result.spec.rate)
            if one:
                scaling = result.rate / one.rate
                lines.append(f"{LABELS[result.spec.scenario]} {result.spec.processes} processes / 1: {scaling:5.2f}×   "
                             f"target ≥ {TARGET_SCALING:.1f}×  {verdict(scaling >= TARGET_SCALING)}")
    if lines:
        print("Targets (issue 11):")
        for line in lines:
            print(f"  {line}")
    print(f"p50/p99 = POST → first reply; done = POST → step complete. CPU over the window, 100% = one core of "
          f"{os.cpu_count()}: the bot process(es), PostgreSQL, this driver (fake Bot API + users), anything else.")


def plan(args) -> list[RunSpec]:
    scenarios = ["stranger", "manager"] if args.scenario == "all" else [args.scenario]
    closed_people = args.people or 32
    specs: list[RunSpec] = []

    def add(spec: RunSpec) -> None:
        if spec not in specs:
            specs.append(spec)

    if args.suite:
        for scenario in scenarios:
            add(RunSpec(scenario, 1, closed_people, None))
        if not args.skip_baseline:
            add(RunSpec("baseline", 1, closed_people, None))
        rate = args.rate or 100
        for scenario in scenarios:
            add(RunSpec(scenario, 1, args.people or int(rate), rate))
        scaled = "manager" if "manager" in scenarios else scenarios[0]
        add(RunSpec(scaled, max(args.processes, 2), closed_people, None))
        return specs
    people = args.people or (int(args.rate) if args.rate else 32)
    counts = [1, args.processes] if args.processes > 1 and not args.rate else [args.processes]
    for processes in counts:
        for scenario in scenarios:
            add(RunSpec(scenario, processes, people, args.rate))
    if not args.skip_baseline:
        add(RunSpec("baseline", args.processes, people, args.rate))
    return specs


async def main_async(args) -> None:
    specs = plan(args)
    log_root = Path(tempfile.mkdtemp(prefix="estafeta-bench-logs-"))
    print(f"{len(specs)} run(s), {args.seconds:g} s each after {args.warmup:g} s warm-up; PostgreSQL + Redis on "
          f"127.0.0.1; `estafeta {args.command}`; logs in {log_root}", flush=True)
    results = []
    for spec in specs:
        load = f"{spec.rate:g}/s" if spec.rate else "closed loop"
        print(f"- {LABELS[spec.scenario]}, {spec.processes} process(es), {spec.people} people, {load} …",
              end=" ", flush=True)
        result = await run_one(spec, args, log_root)
        results.append(result)
        print(f"{result.rate:.0f} updates/s, p99 {result.p(0.99):.0f} ms"
              + (f"  [{result.setup_note}]" if result.setup_note else ""), flush=True)
    report(results, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=("stranger", "manager", "all"), default="all")
    parser.add_argument("--people", type=int, default=0, help="default 32 (closed loop) or RATE people (--rate)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=2.0, help="load before the window, not measured")
    parser.add_argument("--rate", type=float, default=None, help="open loop at this many updates/s")
    parser.add_argument("--processes", type=int, default=1, help="bot processes (users spread across them)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--suite", action="store_true", help="every run the issue's targets need (make bench)")
    parser.add_argument("--cards", type=int, default=0, help="cards per manager (default: enough for the run)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds a step may take before it counts "
                                                                    "as an error")
    parser.add_argument("--start-timeout", type=float, default=60.0, help="seconds to wait for /healthz")
    parser.add_argument("--db-options", default="", help="query string added to the bots' database URL, e.g. "
                                                         "maxsize=20 (Tortoise's pool; default 5)")
    parser.add_argument("--command", choices=("web", "run"), default="web",
                        help="estafeta command each bot process runs (default: web)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a kill stops the bots as Ctrl+C does
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        print("\ninterrupted; bot processes stopped", file=sys.stderr)
        raise SystemExit(130) from None
    except (ChildDied, RuntimeError, TimeoutError) as error:
        print(f"\nbench failed: {error}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
