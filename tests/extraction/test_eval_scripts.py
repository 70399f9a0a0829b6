"""scripts/eval_extraction.py --file and the training set built by scripts/train_spacy.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import eval_extraction  # noqa: E402
import train_spacy  # noqa: E402

from chanyan.extraction.extractor import empty_result  # noqa: E402


def record(rid: str, text: str, sub_code: str | None) -> dict:
    """A labelled record: nothing but the domain annotated (the rest as an empty extraction)."""
    fields = {k: v for k, v in empty_result(text).items() if k not in ("domains", "keywords")}
    domain = sub_code[:2] if sub_code else None
    return {
        "id": rid,
        "split": "validation",
        "now": "2026-03-15T10:00:00",
        "sub_code": sub_code,
        "domain": domain,
        **fields,
    }


def test_eval_file_reports_domain_ranking_on_every_record(tmp_path, capsys):
    path = tmp_path / "mine.jsonl"
    rows = [
        record("v1", "电镀废水的重金属处理不达标", "701"),
        record("v2", "你好，在吗", None),
        record("v3", "你好，在吗，预算二十万", "101"),  # mislabelled on purpose: a miss
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert eval_extraction.main(["--file", str(path), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["n"] == 3
    assert abs(figures["domain_top3"] - 2 / 3) < 1e-9
    assert figures["split"] == str(path)


def test_training_examples_include_validation_and_never_the_held_out_part():
    examples = train_spacy.collect_examples()
    pairs = set(examples)
    validation = train_spacy.read_jsonl(train_spacy.VALIDATION)
    assert len(validation) >= 250
    assert all((r["text"], r["sub_code"] or train_spacy.NONE_LABEL) in pairs for r in validation)
    held_out = {r["text"] for r in train_spacy.read_jsonl(train_spacy.DEVSET) if r["split"] == "test"}
    assert not held_out & {text for text, _ in examples}
    without = {text for text, _ in train_spacy.collect_examples(with_validation=False)}
    assert not {r["text"] for r in validation} <= without
    assert any(label == train_spacy.NONE_LABEL and "预算" in text for text, label in examples)


def published_record(rid: str, text: str, sub_code: str | None, split: str = "dev") -> dict:
    """A record in the published-register shape (register, script, not_budget, not_technical)."""
    return {
        "id": rid,
        "split": split,
        "register": "announcement",
        "script": "simplified",
        "now": "2026-11-20T10:00:00",
        "text": text,
        "sub_code": sub_code,
        "domain": sub_code[:2] if sub_code else None,
        "budget": None,
        "timeline": None,
        "not_budget": [],
        "not_technical": None,
    }


def test_eval_file_in_the_published_shape_uses_its_figures_and_skips_a_held_out_part(tmp_path, capsys):
    path = tmp_path / "more.jsonl"
    rows = [
        published_record("m1", "征集电镀废水重金属深度处理技术", "701"),
        published_record("m2", "征集锂电池极片表面缺陷在线检测设备", "803"),
        published_record("m3", "一条不该被读到的留出记录", "101", split="test"),
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert eval_extraction.main(["--file", str(path), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["n"] == 2
    assert "never_budget_taken" in figures and figures["set"] == str(path)
