"""The matching evaluation data and the registry fixtures are well formed and cover the whole taxonomy.

Layout: tests/matching/data/pool/<domain>.jsonl (registry entries "P<domain>-<nnn>") and
needs/<domain>.jsonl (enterprise needs "N<domain>-<nn>" with graded relevant entries and a hash split).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from opencc import OpenCC

from chanyan.extraction.taxonomy import Taxonomy

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_REGISTRY = Path(__file__).resolve().parents[2] / "chanyan" / "partners" / "sample_registry.jsonl"
KINDS = {"高校", "科研院所", "企业研发中心", "新型研发机构", "实验室", "团队", "专家"}
ENTRY_FIELDS = {
    "id",
    "name",
    "kind",
    "parent",
    "region",
    "capability",
    "achievements",
    "domains",
    "keywords",
    "contact",
    "url",
    "source",
}
MIN_PER_CATEGORY = 7
MIN_TAGGED_PER_CATEGORY = 5
MIN_NEEDS_PER_DOMAIN = 16
CSV_HEADERS_ZH = [
    "名称",
    "类型",
    "地区",
    "能力简介",
    "所属单位",
    "领域",
    "关键词",
    "代表成果",
    "联系人",
    "电话",
    "邮箱",
    "网址",
    "来源",
]
CSV_HEADERS_EN = [
    "name",
    "kind",
    "region",
    "capability",
    "parent",
    "domains",
    "keywords",
    "achievements",
    "contact_name",
    "contact_phone",
    "contact_email",
    "url",
    "source",
]


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number} is blank"
        rows.append(json.loads(line))
    return rows


@cache
def _taxonomy() -> Taxonomy:
    return Taxonomy.load()


@cache
def _pool() -> dict[str, list[dict]]:
    return {p.stem: _read_jsonl(p) for p in sorted((DATA / "pool").glob("*.jsonl"))}


@cache
def _needs() -> dict[str, list[dict]]:
    return {p.stem: _read_jsonl(p) for p in sorted((DATA / "needs").glob("*.jsonl"))}


def _entries() -> list[dict]:
    return [e for rows in _pool().values() for e in rows]


def _split_of(need_id: str) -> str:
    return "heldout" if int(hashlib.md5(need_id.encode()).hexdigest(), 16) % 100 < 35 else "dev"


@cache
def _category_domains() -> dict[str, str]:
    return {c.code: c.domain_code for c in _taxonomy().categories}


def _check_entry_shape(entry: dict, where: str) -> None:
    categories = _category_domains()
    assert entry["kind"] in KINDS, f"{where}: kind {entry['kind']!r}"
    assert entry["name"].strip(), f"{where}: empty name"
    assert 40 <= len(entry["capability"]) <= 200, (
        f"{where}: capability has {len(entry['capability'])} characters"
    )
    assert set(entry["region"]) == {"province", "city"} and entry["region"]["province"], where
    assert len(entry["keywords"]) <= 8, where
    assert set(entry["contact"]) == {"name", "phone", "email"}, where
    assert entry["url"].startswith("https://"), where
    for d in entry["domains"]:
        assert categories.get(d["sub_code"]) == d["code"], f"{where}: unknown category {d}"


def _domain_codes() -> list[str]:
    return [d["code"] for d in _taxonomy().domains]


def test_pool_files_are_named_by_domain_and_entries_are_complete():
    domains = set(_domain_codes())
    assert _pool(), "no pool files"
    for stem, rows in _pool().items():
        assert stem in domains, f"pool/{stem}.jsonl is not a domain code"
        for entry in rows:
            assert set(entry) == ENTRY_FIELDS, (
                f"{entry.get('id')}: fields {sorted(set(entry) ^ ENTRY_FIELDS)}"
            )
            assert entry["id"].startswith(f"P{stem}-"), f"{entry['id']} is in pool/{stem}.jsonl"
            _check_entry_shape(entry, entry["id"])


def test_ids_are_unique():
    pool_ids = Counter(e["id"] for e in _entries())
    need_ids = Counter(n["id"] for rows in _needs().values() for n in rows)
    assert [i for i, c in pool_ids.items() if c > 1] == []
    assert [i for i, c in need_ids.items() if c > 1] == []
    names = Counter((e["name"], e["kind"]) for e in _entries())
    assert [k for k, c in names.items() if c > 1] == [], "(name, kind) is the registry's upsert key"


def test_needs_point_at_existing_entries_with_at_least_one_that_solves_them():
    pool_ids = {e["id"] for e in _entries()}
    for stem, rows in _needs().items():
        for need in rows:
            where = need["id"]
            assert need["id"].startswith(f"N{stem}-"), f"{where} is in needs/{stem}.jsonl"
            assert 20 <= len(need["text"]) <= 200, f"{where}: text has {len(need['text'])} characters"
            assert need["enterprise"].strip(), where
            relevant = need["relevant"]
            assert [r["id"] for r in relevant if r["id"] not in pool_ids] == [], where
            assert all(r["grade"] in (1, 2) for r in relevant), where
            assert any(r["grade"] == 2 for r in relevant), f"{where}: no entry graded 2"
            assert len({r["id"] for r in relevant}) == len(relevant), f"{where}: an entry listed twice"
            partner = need.get("partner")
            if partner is not None:
                assert set(partner) <= {"types", "names", "regions"} and any(partner.values()), where
                assert set(partner.get("types", [])) <= KINDS, where


def test_every_domain_present_has_enough_needs():
    for stem, rows in _needs().items():
        assert len(rows) >= MIN_NEEDS_PER_DOMAIN, f"needs/{stem}.jsonl has {len(rows)}"


def test_split_follows_the_hash_of_the_id_and_both_parts_exist():
    splits = Counter()
    for rows in _needs().values():
        for need in rows:
            assert need["split"] == _split_of(need["id"]), need["id"]
            splits[need["split"]] += 1
    assert splits["dev"] > 0 and splits["heldout"] > 0


def _keyword_category(entry: dict, to_simplified: OpenCC) -> str:
    """The category whose taxonomy terms cover most of an untagged entry's text (longer terms count more)."""
    text = to_simplified.convert(" ".join([entry["name"], entry["capability"], *entry["keywords"]])).lower()

    def score(category) -> float:
        terms = [(t, w) for t, w in category.keywords] + [
            (a, 2.0) for a in (category.name, *category.aliases)
        ]
        return sum(w * len(t) for t, w in terms if t and t.lower() in text)

    return max(_taxonomy().categories, key=score).code


def _short_categories(domains: set[str]) -> tuple[list[str], list[str]]:
    """Categories of these domains below the entry minimum, and below the tagged-entry minimum.

    Tagged entries count for their categories; the ~20% left untagged on purpose (the importer tags them)
    count for the category their text points at by the taxonomy's own term lists."""
    to_simplified = OpenCC("t2s")
    tagged, counted = Counter(), Counter()
    for entry in _entries():
        codes = {d["sub_code"] for d in entry["domains"]}
        tagged.update(codes)
        counted.update(codes or {_keyword_category(entry, to_simplified)})
    wanted = [c.code for c in _taxonomy().categories if c.domain_code in domains]
    return (
        [c for c in wanted if counted[c] < MIN_PER_CATEGORY],
        [c for c in wanted if tagged[c] < MIN_TAGGED_PER_CATEGORY],
    )


def test_every_category_of_the_domains_present_has_enough_entries():
    assert _short_categories(set(_pool())) == ([], [])


def test_the_pool_covers_all_52_categories_once_both_halves_are_in():
    if set(_pool()) != set(_domain_codes()):
        pytest.skip(f"only domains {sorted(_pool())} are in the pool so far")
    assert len(_taxonomy().categories) == 52
    assert _short_categories(set(_domain_codes())) == ([], [])


def test_sample_registry_is_marked_fictional_and_importable():
    rows = _read_jsonl(SAMPLE_REGISTRY)
    assert len(rows) >= 30
    for number, entry in enumerate(rows, 1):
        where = f"sample_registry.jsonl:{number}"
        assert entry["name"].startswith("示例·"), where
        assert entry["source"] == "示例数据（虚构）", where
        assert set(entry) == ENTRY_FIELDS - {"id"}, where
        _check_entry_shape(entry, where)
    assert len({(e["name"], e["kind"]) for e in rows}) == len(rows)
    codes = {d["sub_code"] for e in rows for d in e["domains"]}
    assert {"803", "805", "603", "701", "101"} <= codes
    assert any(c.startswith("40") for c in codes) and any(c.startswith("20") for c in codes)


def _csv_rows(path: Path, encoding: str) -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def test_import_fixtures_have_the_documented_headers_and_bad_rows():
    zh = DATA / "registry_import.csv"
    assert zh.read_bytes().startswith(b"\xef\xbb\xbf"), "the Chinese CSV carries a BOM"
    rows = _csv_rows(zh, "utf-8-sig")
    assert rows[0] == CSV_HEADERS_ZH
    body = [dict(zip(CSV_HEADERS_ZH, r, strict=True)) for r in rows[1:]]
    assert all(len(r) == len(CSV_HEADERS_ZH) for r in rows)
    bad = [r for r in body if not r["名称"] or not r["能力简介"] or r["类型"] not in KINDS]
    assert len(body) - len(bad) == 8
    assert sum(not r["名称"] for r in bad) == 1
    assert sum(not r["能力简介"] for r in bad) == 1
    assert sum(r["类型"] not in KINDS for r in bad) == 1

    en = DATA / "registry_import_en.csv"
    assert not en.read_bytes().startswith(b"\xef\xbb\xbf")
    rows_en = _csv_rows(en, "utf-8")
    assert rows_en[0] == CSV_HEADERS_EN
    assert len(rows_en) == 6 and all(r[0] and r[3] and r[1] in KINDS for r in rows_en[1:])


def test_xlsx_fixture_holds_the_chinese_csv():
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(DATA / "registry_import.xlsx", read_only=True).active
    cells = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert cells == _csv_rows(DATA / "registry_import.csv", "utf-8-sig"), (
        "rerun tests/matching/data/make_xlsx.py"
    )
