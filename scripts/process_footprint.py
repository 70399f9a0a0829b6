"""Start-up time, memory and first-message latency of the action server and Rasa, started the old way
(`rasa run actions`, `rasa run`) and through our launchers (`python -m serve.action_server`,
`python -m serve.rasa_server`), one after the other on free ports with a temporary SQLite database.

    .venv/bin/python scripts/process_footprint.py [--ways old,launcher] [--messages 5]

Prints, per way: seconds until each process answers (the launchers open their ports only once warmed; `rasa run`
is counted until /status names the model), resident memory (VmRSS) once ready and after the messages, and the
REST latency of the first message of a fresh stack and of the next ones.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import urllib.error
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.stack import BIN, MODEL, Stack, http_json  # noqa: E402

MESSAGES = [
    "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成",
    "划痕检出率99%以上，每分钟检测60件",
    "委托开发",
    "归企业所有",
    "不限",
    "王经理",
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def wait(url: str, process, needs_model: bool, timeout: float = 400) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        try:
            status = http_json("GET", url, timeout=5)
            if not needs_model or (status or {}).get("model_file"):
                return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, ValueError):
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def measure(way: str, workdir: Path, messages: int) -> dict:
    stack = Stack.fresh(workdir, "footprint.db")
    token = stack.env["RASA_TOKEN"]
    figures: dict = {"way": way}
    try:
        if way == "old":
            command = [
                str(BIN / "rasa"),
                "run",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(stack.action_port),
            ]
            actions = stack._spawn("actions", command)
        else:
            actions = stack.start_actions()
        figures["actions_start_s"] = wait(f"{stack.action_url}/health", actions, False)
        figures["actions_rss_ready"] = rss_mb(actions.popen.pid)
        if way == "old":
            command = [
                str(BIN / "rasa"), "run", "--model", str(MODEL), "--endpoints", str(ROOT / "endpoints.yml"),
                "--credentials", str(stack.credentials()), "--port", str(stack.rasa_port), "--enable-api",
                "--auth-token", token,
            ]  # fmt: skip
            rasa = stack._spawn("rasa", command)
        else:
            rasa = stack.start_rasa()
        figures["rasa_start_s"] = wait(f"{stack.rasa_url}/status?token={token}", rasa, True)
        figures["rasa_rss_ready"] = rss_mb(rasa.popen.pid)
        sender = f"footprint-{uuid.uuid4().hex[:8]}"
        latencies = []
        for message in MESSAGES[: max(2, messages)]:
            started = time.monotonic()
            stack.rest(sender, message)
            latencies.append(time.monotonic() - started)
        figures["first_ms"] = latencies[0] * 1000
        figures["next_ms"] = sum(latencies[1:]) / len(latencies[1:]) * 1000
        figures["actions_rss_after"] = rss_mb(actions.popen.pid)
        figures["rasa_rss_after"] = rss_mb(rasa.popen.pid)
    finally:
        stack.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ways", default="old,launcher")
    parser.add_argument("--messages", type=int, default=5)
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"no trained model at {MODEL}: run `make train`", file=sys.stderr)
        return 1
    rows = []
    for way in args.ways.split(","):
        with tempfile.TemporaryDirectory(prefix=f"footprint-{way}-") as tmp:
            rows.append(measure(way, Path(tmp), args.messages))
    head = (
        f"{'way':<9} {'actions s':>9} {'actions MB':>10} {'(after)':>8} {'rasa s':>7} {'rasa MB':>8} {'(after)':>8}"
        f" {'1st msg ms':>10} {'next ms':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['way']:<9} {r['actions_start_s']:>9.1f} {r['actions_rss_ready']:>10.0f} {r['actions_rss_after']:>8.0f}"
            f" {r['rasa_start_s']:>7.1f} {r['rasa_rss_ready']:>8.0f} {r['rasa_rss_after']:>8.0f}"
            f" {r['first_ms']:>10.0f} {r['next_ms']:>8.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
