#!/usr/bin/env python
"""Load benchmark: N concurrent simulated enterprises, each running a whole intake over REST, against our bot
(production profile: PostgreSQL tracker store and requests, Redis lock store, one Rasa + one action server)
and, in the same run, the same load against a plain `rasa init` bot (the baseline). Prints one table.

    make bench                                  # N = 10, 50, 100; think time 0 s and 10 s
    python scripts/bench.py --levels 10,50 --think 0 --no-baseline

Two kinds of load: think time 0 (every simulated user answers the moment the bot has answered: a closed-loop
stress test that measures capacity; latency then is mostly queueing, N / throughput) and think time 10 s (a
user reads and types for 5-15 s before each message, as on a phone). Latency is the time from sending a
message to receiving the bot's whole answer. The baseline project is created with
`rasa init --no-prompt` into bench/.work/baseline (git-ignored) and trained there once; nothing is downloaded.
It runs on the same PostgreSQL tracker store and Redis lock store as ours (its own database and key prefix).

Targets: no lost or duplicate request, no 5xx, p99 under 300 ms at N=50 with think time, and a p99
ratio to the baseline of at most 1.5 at every level (at think time 0 the absolute p99 is reported, not judged).

Hostile mix: N=50 normal intakes run twice, once alone and once with 1% hostile messages mixed in (after
every 99th normal message, one of: a 10,000-character message, a body that is not JSON, a sender with `/`, CR/LF
and 10,000 characters, a 1 MB body). The p99 of the normal users with the mix must stay within 1.5x of the run
without it, and no hostile message may get a 5xx.

    python scripts/bench.py --only-hostile --think 0 --no-baseline      # the hostile comparison alone
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.driver import DEFAULT_ANSWERS, REF, question_key  # noqa: E402
from tests.e2e.stack import BIN, MODEL, Stack, free_port, stack_env  # noqa: E402

WORK_DIR = ROOT / "bench" / ".work"
BASELINE_DIR = WORK_DIR / "baseline"
LEVELS = (10, 50, 100)
THINK_TIMES = (0.0, 10.0)
REQUEST_TIMEOUT_S = 600
# The REST channel's retry notice (connectors/retry_notice.py): the simulated user does as told and resends.
RETRY_MARK = "请稍后再发一次"
RETRY_PAUSE_S = 1.0
WARMUP_USERS = 2
TARGET_P99_MS_AT_50 = 300
TARGET_LATENCY_RATIO = 1.5
HOSTILE_USERS = 50
HOSTILE_EVERY = 99  # one hostile message after every 99 normal ones: 1% of all messages
TARGET_HOSTILE_RATIO = 1.5

# First messages of the simulated enterprises (each one completes with the driver's default answers).
FIRST_MESSAGES = (
    "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50-80万，明年6月前完成",
    "我们是宁波海纳塑业有限公司，想开发可降解包装材料，预算30万，一年内",
    "我们是杭州云图软件有限公司，想做一个工业大数据分析平台，预算100万以内，年底前",
    "我要提交需求",
)
# The baseline user: a moodbot conversation as long as an average intake of ours.
BASELINE_MESSAGES = (
    "hello",
    "I am sad",
    "no",
    "goodbye",
    "hi",
    "I am feeling great",
    "good morning",
    "very bad",
    "yes",
    "bye",
    "hey",
    "perfect",
    "are you a bot?",
)


@dataclass
class Result:
    """What one load level measured."""

    bot: str
    users: int
    think_s: float = 0.0
    wall_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    server_errors: int = 0
    other_errors: int = 0
    completed: int = 0
    retries: int = 0
    filed: int | None = None
    distinct_filed: int | None = None
    rss_mb: dict[str, float] = field(default_factory=dict)
    # The hostile mix: one hostile message after every `hostile_every` normal ones (0: none).
    hostile_every: int = 0
    hostile_statuses: list[int] = field(default_factory=list)
    hostile_latencies_ms: list[float] = field(default_factory=list)
    hostile_tasks: set = field(default_factory=set)

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.messages / self.wall_s if self.wall_s else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


# --- the simulated users ------------------------------------------------------------------------------------


async def send(session, url: str, sender: str, message: str, result: Result) -> list[str] | None:
    """One message; its replies' texts, or None on an HTTP or network error (counted)."""
    import aiohttp

    if result.think_s:  # reading the question and typing the answer
        await asyncio.sleep(random.uniform(0.5, 1.5) * result.think_s)
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": message}) as response:
            body = await response.json(content_type=None) if response.status < 500 else None
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        result.other_errors += 1
        return None
    result.latencies_ms.append((time.perf_counter() - started) * 1000)
    if result.hostile_every and len(result.latencies_ms) % result.hostile_every == 0:
        task = asyncio.ensure_future(send_hostile(session, url, len(result.hostile_statuses), result))
        result.hostile_tasks.add(task)
        task.add_done_callback(result.hostile_tasks.discard)
    if status >= 500:
        result.server_errors += 1
        return None
    if status != 200:
        result.other_errors += 1
        return None
    return [r.get("text", "") for r in body or [] if r.get("text")]


def hostile_body(n: int) -> bytes:
    """The n-th hostile request body: a 10,000-character message, bad JSON, a bad sender, a 1 MB body."""
    import json

    kind = n % 4
    if kind == 0:
        message = ("我们想做机器视觉检测，" * 1000)[:10_000]
        return json.dumps({"sender": f"bench-hostile-{n}", "message": message}, ensure_ascii=False).encode()
    if kind == 1:
        return b'{"sender": "bench-hostile", "message": "\u4f60\u597d", NaN]'
    if kind == 2:
        return json.dumps({"sender": "h/../x\r\n" + "s" * 10_000, "message": "转人工"}).encode()
    return json.dumps(
        {"sender": f"bench-hostile-{n}", "message": "测" * 350_000}, ensure_ascii=False
    ).encode()


async def send_hostile(session, url: str, n: int, result: Result) -> None:
    """One hostile request; its status (0 on a network error) and latency are recorded apart from the users'."""
    import aiohttp

    started = time.perf_counter()
    try:
        headers = {"Content-Type": "application/json"}
        async with session.post(url, data=hostile_body(n), headers=headers) as response:
            await response.read()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError):
        status = 0
    result.hostile_statuses.append(status)
    result.hostile_latencies_ms.append((time.perf_counter() - started) * 1000)


async def intake_user(session, url: str, sender: str, first: str, result: Result) -> None:
    """A whole intake, answering each question as the e2e driver does; counts it completed when filed."""
    message = first
    for _ in range(40):
        said = await send(session, url, sender, message, result)
        if said is None:
            return
        if any(REF.search(text) for text in said):
            result.completed += 1
            return
        if any(RETRY_MARK in text for text in said):
            result.retries += 1
            await asyncio.sleep(RETRY_PAUSE_S)
            continue
        key = question_key(said, DEFAULT_ANSWERS)
        if key is None:
            result.other_errors += 1
            return
        message = DEFAULT_ANSWERS[key]
    result.other_errors += 1


async def baseline_user(session, url: str, sender: str, _first: str, result: Result) -> None:
    for message in BASELINE_MESSAGES:
        if await send(session, url, sender, message, result) is None:
            return
    result.completed += 1


async def run_level(
    bot: str, rasa_url: str, users: int, user_fn, think_s: float = 0.0, hostile_every: int = 0
) -> tuple[Result, list[str]]:
    import aiohttp

    result = Result(bot, users, think_s, hostile_every=hostile_every)
    run = uuid.uuid4().hex[:8]
    senders = [f"bench-{bot}-{run}-{n}" for n in range(users)]
    firsts = itertools.cycle(FIRST_MESSAGES)
    url = f"{rasa_url}/webhooks/rest/webhook"
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user_fn(session, url, s, next(firsts), result) for s in senders))
        result.wall_s = time.perf_counter() - started
        if result.hostile_tasks:
            await asyncio.gather(*list(result.hostile_tasks))
    return result, senders


# --- processes ----------------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0.0
    for candidate in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in children(child)]


def filed_counts(database_url: str, senders: list[str]) -> tuple[int, int]:
    """(rows, distinct conversations) filed by these simulated users."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database_url, future=True)
    query = text(
        "SELECT count(*), count(DISTINCT conversation_id) FROM requests WHERE conversation_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    try:
        with engine.connect() as connection:
            rows, distinct = connection.execute(query, {"ids": senders}).one()
    finally:
        engine.dispose()
    return int(rows), int(distinct)


def prepare_baseline(log) -> Path:
    """The `rasa init` project, created and trained once; its model file."""
    models = BASELINE_DIR / "models"
    found = sorted(models.glob("*.tar.gz")) if models.exists() else []
    if found:
        return found[-1]
    shutil.rmtree(BASELINE_DIR, ignore_errors=True)
    BASELINE_DIR.mkdir(parents=True)
    log(f"creating and training the baseline with `rasa init --no-prompt` in {BASELINE_DIR} ...")
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(BASELINE_DIR)],
        cwd=BASELINE_DIR,
        env=quiet_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return sorted(models.glob("*.tar.gz"))[-1]


def quiet_env() -> dict[str, str]:
    return {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
    }


def start_ours(workdir: Path, database_url: str) -> Stack:
    from sqlalchemy.engine import make_url

    rasa_port, action_port = free_port(), free_port()
    url = make_url(database_url)
    env = stack_env(
        workdir,
        database_url,
        rasa_port,
        action_port,
        REDIS_HOST=os.environ.get("BENCH_REDIS_HOST", "127.0.0.1"),
        REDIS_PORT=os.environ.get("BENCH_REDIS_PORT", "6379"),
        REDIS_LOCK_DB="1",
        REDIS_PASSWORD="",
        REDIS_LOCK_PREFIX=f"bench{url.database.rsplit('_', 1)[-1]}",
        REDIS_URL="",
        PYTHONWARNINGS="ignore",
    )
    stack = Stack(workdir, database_url, env, rasa_port, action_port)
    stack.start_actions()
    stack.start_rasa(endpoints=ROOT / "endpoints.prod.yml")
    return stack


def baseline_endpoints(workdir: Path, tracker_url: str) -> Path:
    """The baseline's endpoints: the same PostgreSQL tracker store and Redis lock store as ours, so that the
    ratio measures what our bot adds to Rasa, not the price of the production stores."""
    path = workdir / "baseline-endpoints.yml"
    path.write_text(
        "tracker_store:\n"
        "  type: SQL\n"
        f"  url: {tracker_url}\n"
        "lock_store:\n"
        "  type: redis\n"
        f"  url: {os.environ.get('BENCH_REDIS_HOST', '127.0.0.1')}\n"
        f"  port: {os.environ.get('BENCH_REDIS_PORT', '6379')}\n"
        "  db: 1\n"
        f"  key_prefix: benchbase{uuid.uuid4().hex[:6]}\n"
    )
    return path


def start_baseline(workdir: Path, model: Path, endpoints: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = (workdir / "baseline.log").open("ab")
    popen = subprocess.Popen(
        [
            str(BIN / "rasa"),
            "run",
            "--model",
            str(model),
            "--port",
            str(port),
            "--credentials",
            str(BASELINE_DIR / "credentials.yml"),
            "--endpoints",
            str(endpoints),
        ],
        cwd=BASELINE_DIR,
        env=quiet_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return popen, f"http://127.0.0.1:{port}"


def wait_http(url: str, popen: subprocess.Popen, timeout: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise RuntimeError(f"the baseline Rasa exited with {popen.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


def stop(popen: subprocess.Popen) -> None:
    if popen.poll() is None:
        popen.terminate()
        try:
            popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()


# --- the report ---------------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    head = (
        f"{'bot':<9} {'think':>5} {'N':>4} {'done':>5} {'msgs':>6} {'msg/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'5xx':>4} {'err':>4} {'retry':>5} {'filed/exp':>10} {'dup':>4}  RSS MB"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        filed = f"{r.distinct_filed}/{r.users}" if r.filed is not None else "-"
        dup = str(r.filed - r.distinct_filed) if r.filed is not None else "-"
        rss = ", ".join(f"{name} {mb:.0f}" for name, mb in r.rss_mb.items())
        lines.append(
            f"{r.bot:<9} {r.think_s:>5.0f} {r.users:>4} {r.completed:>5} {r.messages:>6} {r.rate:>7.1f} {r.pct(50):>8.0f} "
            f"{r.pct(95):>8.0f} {r.pct(99):>8.0f} {r.server_errors:>4} {r.other_errors:>4} {r.retries:>5} {filed:>10} {dup:>4}  {rss}"
        )
    return "\n".join(lines)


def ratios(ours: list[Result], baseline: list[Result]) -> str:
    head = f"{'think':>5} {'N':>4} {'msg/s':>8} {'p50':>8} {'p95':>8} {'p99':>8}   (ours / baseline; latency: lower is better)"
    lines = [head, "-" * len(head)]
    for o, b in zip(ours, baseline, strict=True):
        lines.append(
            f"{o.think_s:>5.0f} {o.users:>4} {o.rate / b.rate:>8.2f} {o.pct(50) / b.pct(50):>8.2f} {o.pct(95) / b.pct(95):>8.2f} "
            f"{o.pct(99) / b.pct(99):>8.2f}"
        )
    return "\n".join(lines)


def targets(ours: list[Result], baseline: list[Result]) -> str:
    lines = []

    def check(name: str, ok: bool, detail: str) -> None:
        lines.append(f"  [{'PASS' if ok else 'FAIL'}] {name}: {detail}")

    lost = sum(r.users - (r.distinct_filed or 0) for r in ours)
    dups = sum((r.filed or 0) - (r.distinct_filed or 0) for r in ours)
    check("no lost or duplicate requests", lost == 0 and dups == 0, f"lost {lost}, duplicates {dups}")
    check("no 5xx", sum(r.server_errors for r in ours) == 0, f"{sum(r.server_errors for r in ours)} 5xx")
    for at50 in (r for r in ours if r.users == 50):
        if at50.think_s == 0:
            # A closed loop with no think time keeps every core busy by design: latency there is N / throughput
            # for any bot (the baseline's figure is next to ours), so it is compared by ratio only.
            base = next((b.pct(99) for b in baseline if b.users == 50 and b.think_s == 0), float("nan"))
            lines.append(
                f"  [INFO] p99 at N=50, think 0 s (capacity, judged by the ratio): {at50.pct(99):.0f} ms,"
                f" baseline {base:.0f} ms"
            )
            continue
        check(
            f"p99 < {TARGET_P99_MS_AT_50} ms at N=50, think {at50.think_s:.0f} s",
            at50.pct(99) < TARGET_P99_MS_AT_50,
            f"{at50.pct(99):.0f} ms",
        )
    for o, b in zip(ours, baseline, strict=True):
        ratio = o.pct(99) / b.pct(99)
        check(
            f"p99 ratio to baseline <= {TARGET_LATENCY_RATIO} at N={o.users}, think {o.think_s:.0f} s",
            ratio <= TARGET_LATENCY_RATIO,
            f"{ratio:.2f}",
        )
    return "\n".join(lines)


def hostile_report(pairs: list[tuple[Result, Result]]) -> str:
    """The normal users' p99 without and with the hostile mix, the hostile answers, PASS/FAIL per pair."""
    lines = [
        f"hostile mix: after every {HOSTILE_EVERY}th normal message one hostile request (10,000 characters,"
        " bad JSON, a bad sender, a 1 MB body)",
        f"{'think':>5} {'N':>4} {'p99 alone':>10} {'p99 mixed':>10} {'ratio':>6} {'p50 alone':>10} {'p50 mixed':>10}"
        f" {'hostile':>8} {'hostile answers':<28} {'hostile p99':>11}  verdict",
    ]
    lines.append("-" * len(lines[1]))
    for alone, mixed in pairs:
        ratio = mixed.pct(99) / alone.pct(99)
        answers = ", ".join(
            f"{code or 'net'}×{mixed.hostile_statuses.count(code)}"
            for code in sorted(set(mixed.hostile_statuses))
        )
        hostile_p99 = Result("h", 0, latencies_ms=mixed.hostile_latencies_ms).pct(99)
        ok = ratio <= TARGET_HOSTILE_RATIO and not any(c >= 500 or c == 0 for c in mixed.hostile_statuses)
        lines.append(
            f"{alone.think_s:>5.0f} {alone.users:>4} {alone.pct(99):>10.0f} {mixed.pct(99):>10.0f} {ratio:>6.2f}"
            f" {alone.pct(50):>10.0f} {mixed.pct(50):>10.0f} {len(mixed.hostile_statuses):>8} {answers:<28}"
            f" {hostile_p99:>9.0f}ms  [{'PASS' if ok else 'FAIL'}] p99 mixed <= {TARGET_HOSTILE_RATIO}x alone,"
            " no 5xx"
        )
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> int:
    from chanyan.store.migrate import upgrade
    from tests.postgres import postgres_available, temporary_database

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if not MODEL.exists():
        log(f"no trained model at {MODEL}: run `make train`")
        return 2
    if not postgres_available():
        log("PostgreSQL is not reachable (CHANYAN_TEST_PG_URL); `.ci/run` starts it")
        return 2
    levels = [int(n) for n in args.levels.split(",")]
    thinks = [float(t) for t in args.think.split(",")]
    baseline_model = None if args.no_baseline else prepare_baseline(log)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(os.environ.get("BENCH_WORKDIR") or WORK_DIR / f"run-{uuid.uuid4().hex[:6]}")
    workdir.mkdir(parents=True, exist_ok=True)
    ours: list[Result] = []
    baseline: list[Result] = []
    hostile_pairs: list[tuple[Result, Result]] = []
    with (
        temporary_database("chanyan_bench") as database_url,
        temporary_database("chanyan_bench_base") as baseline_tracker_url,
    ):
        upgrade(database_url)
        stack = start_ours(workdir, database_url)
        base_popen, base_url = (None, "")
        try:
            log("starting our bot (production profile) and the baseline ...")
            if baseline_model is not None:
                base_popen, base_url = start_baseline(
                    workdir, baseline_model, baseline_endpoints(workdir, baseline_tracker_url)
                )
            stack.wait_ready()
            if base_popen is not None:
                wait_http(f"{base_url}/", base_popen)
            # Not measured: the first messages load lazily loaded parts (TensorFlow graphs, jieba, spaCy).
            log("warming up ...")
            await run_level("warmup", stack.rasa_url, WARMUP_USERS, intake_user)
            if base_popen is not None:
                await run_level("warmup", base_url, WARMUP_USERS, baseline_user)
            for think, users in itertools.product(thinks, [] if args.only_hostile else levels):
                log(f"ours: think {think:.0f} s, N={users} ...")
                result, senders = await run_level("ours", stack.rasa_url, users, intake_user, think)
                result.filed, result.distinct_filed = filed_counts(database_url, senders)
                result.rss_mb = {p.name: rss_mb(p.popen.pid) for p in stack.processes}
                ours.append(result)
                if base_popen is not None:
                    log(f"baseline: think {think:.0f} s, N={users} ...")
                    result, _ = await run_level("baseline", base_url, users, baseline_user, think)
                    result.rss_mb = {"rasa": rss_mb(base_popen.pid)}
                    baseline.append(result)
            for think in thinks if args.hostile_users else []:
                pair = []
                for every in (0, HOSTILE_EVERY):
                    label = "mixed" if every else "alone"
                    log(f"hostile mix: think {think:.0f} s, N={args.hostile_users}, {label} ...")
                    result, senders = await run_level(
                        f"ours-{label}", stack.rasa_url, args.hostile_users, intake_user, think, every
                    )
                    result.filed, result.distinct_filed = filed_counts(database_url, senders)
                    result.rss_mb = {p.name: rss_mb(p.popen.pid) for p in stack.processes}
                    pair.append(result)
                hostile_pairs.append((pair[0], pair[1]))
        finally:
            stack.stop()
            if base_popen is not None:
                stop(base_popen)
    print(
        f"\n产研通 load benchmark — {os.cpu_count()} cores, one Rasa + one action server, PostgreSQL + Redis;"
    )
    print(
        "baseline: `rasa init` bot on the same PostgreSQL tracker store and Redis lock store."
        " think: seconds before each message (±50%).\n"
    )
    print(table(ours + baseline + [r for pair in hostile_pairs for r in pair]))
    print(
        "done: conversations completed; err: network errors, other HTTP errors, unexpected replies; retry: turns"
        " answered with the retry notice (the user resent them); filed/exp: distinct requests filed / expected;"
        " RSS: resident memory after the level."
    )
    if baseline:
        print("\nratios\n" + ratios(ours, baseline))
        print("\ntargets\n" + targets(ours, baseline))
    if hostile_pairs:
        print("\n" + hostile_report(hostile_pairs))
    print(f"\nlogs: {workdir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="concurrent users per level")
    parser.add_argument(
        "--think", default=",".join(f"{t:g}" for t in THINK_TIMES), help="think times in seconds, e.g. 0,10"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the `rasa init` baseline")
    parser.add_argument(
        "--hostile-users",
        type=int,
        default=HOSTILE_USERS,
        help="normal users of the hostile-mix comparison, run at each think time (0: skip it)",
    )
    parser.add_argument("--only-hostile", action="store_true", help="only the hostile-mix comparison")
    return asyncio.run(bench(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
