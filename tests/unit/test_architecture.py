"""The architecture holds: layers depend inward only, no import cycles, and the Rasa domain agrees with the core."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import grimp
import yaml

from chanyan.domain.schema import SLOT_NAMES
from chanyan.intake.answers import REASON_CODES
from chanyan.intake.turn import REVIEW_SLOT

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DIR = ROOT / "bot" / "domain"
PACKAGES = ("chanyan", "connectors")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def _domain() -> dict:
    merged: dict = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


def test_the_layering_contracts_of_pyproject_hold():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_no_module_of_ours_imports_itself_back_even_inside_a_function():
    graph = grimp.build_graph(*PACKAGES)
    ours = sorted(m for m in graph.modules if m.startswith(PACKAGES))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if not imported.startswith(PACKAGES):
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in ours:
        if module not in index:
            visit(module)
    assert cycles == []


def test_chanyan_staff_list_loads_neither_the_web_stack_nor_spacy(tmp_path):
    database = f"sqlite:///{tmp_path / 'chanyan.db'}"
    script = (
        "import sys\n"
        "from chanyan.store.migrate import upgrade\n"
        f"upgrade({database!r})\n"
        "from chanyan.cli import main\n"
        "code = main(['staff', 'list'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'aiohttp', 'spacy', 'rasa', 'tensorflow'})\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**_env(), "DATABASE_URL": database},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "HEAVY []" in result.stdout


def test_the_form_asks_exactly_the_schema_slots_then_the_summary():
    required = _domain()["forms"]["intake_form"]["required_slots"]
    assert required == [*SLOT_NAMES, REVIEW_SLOT]


def test_every_reason_code_the_interview_returns_has_a_response():
    responses = _domain()["responses"]
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "chanyan" / "intake").glob("*.py"))
    used = set(re.findall(r'AnswerError\(\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'"(review_[a-z_]+)"', source))
    assert used <= set(REASON_CODES), used - set(REASON_CODES)
    missing = [code for code in REASON_CODES if f"utter_invalid_{code}" not in responses]
    assert missing == []
    unexplained = [slot for slot in SLOT_NAMES if f"utter_explain_{slot}" not in responses]
    assert unexplained == []


def test_every_response_the_actions_name_exists_in_the_domain():
    responses = set(_domain()["responses"])
    sources = [p for d in ("bot/actions", "connectors") for p in (ROOT / d).rglob("*.py")]
    named = set()
    for path in sources:
        named |= set(re.findall(r'response="(utter_[a-z_]+)"', path.read_text(encoding="utf-8")))
        named |= set(re.findall(r'"(utter_[a-z_]+)" if', path.read_text(encoding="utf-8")))
        named |= set(re.findall(r'else "(utter_[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert named, "the scan found no response names: the pattern is out of date"
    assert sorted(named - responses) == []
