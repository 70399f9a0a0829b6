#!/usr/bin/env python
"""CPU seconds per user message of the action server and Rasa, over the dev dialogues' messages.

Starts the stack of the tree given by --root (its code and its trained model, like the e2e tests), warms it up,
then sends every message of the first --conversations dev conversations (openings, answers, contact, "确认") and
reads utime+stime of both process groups from /proc before and after. Prints one line of figures.

    python scripts/cpu_per_message.py --root /work/main      # today's bot
    python scripts/cpu_per_message.py --root .               # this tree

Heavy (starts Rasa): run it under `flock /tmp/chanyan-heavy.lock` on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent
ORDER = (
    "need_description",
    "tech_targets",
    "budget",
    "timeline",
    "coop_mode",
    "ip_preference",
    "partner_preference",
)


def messages_of(path: Path) -> list[str]:
    """A conversation's messages in the order a user would send them (bot replies are not needed here)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out: list[str] = []
    for item in data.get("opening") or []:
        say = item.get("say") if isinstance(item, dict) else item
        out.extend(say if isinstance(say, list) else [say])
    answers = data.get("answers") or {}
    for slot in ORDER:
        spec = answers.get(slot)
        if isinstance(spec, dict):
            spec = spec.get("say") or spec.get("given")
        if spec:
            out.append(str(spec))
    if data.get("contact"):
        out.append(str(data["contact"]))
    out.append("确认")
    return [m for m in out if m]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children that were waited for (seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def group_cpu(pgid: int) -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid:
                total += cpu_seconds(int(entry.name))
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="the tree whose bot is measured")
    parser.add_argument("--conversations", type=int, default=15)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    sys.path.insert(0, str(root))
    os.environ["PYTHONPATH"] = f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    from tests.e2e.stack import Stack

    dev = sorted((HERE / "tests" / "dialogues" / "dev").glob("*.yml"))[: args.conversations]
    conversations = [messages_of(p) for p in dev]
    workdir = Path(tempfile.mkdtemp(prefix="cpu-"))
    stack = Stack.fresh(workdir)
    try:
        stack.start_actions()
        stack.start_rasa()
        stack.wait_ready()
        for message in ("你好", "我们想用机器视觉检测零件表面划痕，预算50万", "跳过"):
            stack.rest("warm-up", message)
        groups = [p.popen.pid for p in stack.processes]  # start_new_session: each is its own process group
        before = {g: group_cpu(g) for g in groups}
        started = time.monotonic()
        sent = 0
        for messages in conversations:
            sender = f"cpu-{uuid.uuid4().hex[:8]}"
            for message in messages:
                stack.rest(sender, message)
                sent += 1
        wall = time.monotonic() - started
        after = {g: group_cpu(g) for g in groups}
    finally:
        stack.stop()
    names = {p.popen.pid: p.name for p in stack.processes}
    per = {names[g]: (after[g] - before[g]) / sent for g in groups}
    total = sum(per.values())
    parts = "  ".join(f"{name} {value * 1000:.0f} ms" for name, value in per.items())
    print(
        f"root {root}  messages {sent}  CPU per message {total * 1000:.0f} ms ({parts})  wall {wall / sent * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
