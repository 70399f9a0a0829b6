"""The registry in the database: import (all or nothing), re-import, edits with audit, and a fresh index."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from chanyan.partners import registry
from chanyan.partners.index import MatchIndex
from chanyan.partners.matcher import Need
from chanyan.partners.registry import PartnerFilters, import_file, list_partners
from chanyan.store.migrate import upgrade
from chanyan.store.models.partners import Partner, PartnerAudit
from chanyan.store.session import make_engine, make_sessionmaker
from tests.postgres import BACKENDS, empty_database

GOOD = [
    {
        "名称": "东南大学视觉检测实验室",
        "类型": "实验室",
        "所属单位": "东南大学",
        "地区": "江苏南京",
        "能力简介": "工业机器视觉与表面缺陷检测",
        "领域": "803",
        "关键词": "机器视觉、缺陷检测",
    },
    {
        "名称": "江南大学发酵工程团队",
        "类型": "团队",
        "地区": "江苏无锡",
        "能力简介": "食品发酵工艺优化与菌种选育",
    },
    {
        "名称": "宁波高分子材料研究所",
        "类型": "科研院所",
        "地区": "浙江宁波",
        "能力简介": "改性塑料与阻燃高分子材料",
    },
]


@pytest.fixture(params=BACKENDS)
def session_factory(request, tmp_path) -> Iterator:
    for url in empty_database(request.param, tmp_path / "partners.db", "chanyan_partners"):
        upgrade(url)
        engine = make_engine(url)
        yield make_sessionmaker(engine)
        engine.dispose()


def write_jsonl(path, rows) -> str:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def count(session_factory) -> int:
    with session_factory() as session:
        return session.execute(select(func.count(Partner.id))).scalar_one()


def test_import_tags_domains_and_a_second_import_changes_nothing(session_factory, tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", GOOD)
    first = import_file(session_factory, path)
    assert first.written and (first.created, first.updated, first.unchanged) == (3, 0, 0)
    again = import_file(session_factory, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert count(session_factory) == 3
    with session_factory() as session:
        lab = session.execute(select(Partner).where(Partner.name == GOOD[0]["名称"])).scalar_one()
        assert lab.domains == [{"code": "80", "sub_code": "803"}] and not lab.domains_tagged
        team = session.execute(select(Partner).where(Partner.name == GOOD[1]["名称"])).scalar_one()
        assert team.domains_tagged and team.domains[0]["code"] == "20"  # 发酵 → 生物与新医药
        assert (team.province, team.city) == ("江苏", "无锡")


def test_a_bad_row_stops_the_whole_import_unless_skipped(session_factory, tmp_path):
    rows = [
        *GOOD,
        {"名称": "无名团队", "类型": "团队"},
        {"名称": GOOD[0]["名称"], "类型": "实验室", "能力简介": "重复"},
    ]
    path = write_jsonl(tmp_path / "r.jsonl", rows)
    refused = import_file(session_factory, path)
    assert not refused.written and count(session_factory) == 0
    assert [(p.row, p.reasons) for p in refused.problems] == [
        (4, ["缺少能力简介"]),
        (5, ["与第 1 行的名称和类型相同"]),
    ]
    assert "未导入" in refused.summary()
    skipped = import_file(session_factory, path, skip_invalid=True)
    assert skipped.written and skipped.created == 3 and skipped.skipped == 2
    assert count(session_factory) == 3


def test_a_crash_half_way_leaves_nothing_written(session_factory, tmp_path, monkeypatch):
    calls = {"n": 0}
    real = registry.stored_values

    def failing(entry, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(entry, *args, **kwargs)

    import_file(session_factory, write_jsonl(tmp_path / "one.jsonl", GOOD[:1]))
    monkeypatch.setattr(registry, "stored_values", failing)
    changed = [{**GOOD[0], "能力简介": "改过的能力简介"}, *GOOD[1:]]
    with pytest.raises(RuntimeError):
        import_file(session_factory, write_jsonl(tmp_path / "r2.jsonl", changed))
    with session_factory() as session:
        assert session.execute(select(Partner.capability)).scalars().all() == [GOOD[0]["能力简介"]]


def test_re_import_updates_by_name_and_kind_with_an_audit_trail(session_factory, tmp_path):
    import_file(session_factory, write_jsonl(tmp_path / "a.jsonl", GOOD))
    changed = [{**GOOD[2], "地区": "浙江杭州"}]
    report = import_file(session_factory, write_jsonl(tmp_path / "b.jsonl", changed), actor="zhang")
    assert (report.created, report.updated) == (0, 1)
    with session_factory() as session:
        audit = session.execute(select(PartnerAudit).where(PartnerAudit.action == "import")).scalars().all()
        assert {(a.field, a.old_value, a.new_value, a.actor) for a in audit} == {
            ("city", "宁波", "杭州", "zhang")
        }


def test_edits_are_audited_and_duplicates_refused(session_factory, tmp_path):
    import_file(session_factory, write_jsonl(tmp_path / "a.jsonl", GOOD))
    with session_factory() as session, session.begin():
        lab = session.execute(select(Partner).where(Partner.kind == "实验室")).scalar_one()
        raw = {**registry.partner_record(lab), "capability": "三维视觉测量"}
        _, changed = registry.update_partner(session, lab.id, raw, "li")
        assert changed
        history = registry.partner_history(session, lab.id)
        assert [(h.field, h.actor) for h in history] == [("capability", "li")]
        with pytest.raises(registry.DuplicatePartner):
            registry.create_partner(session, {**raw, "capability": "另一条"}, "li")


def test_list_filters_and_search(session_factory, tmp_path):
    import_file(session_factory, write_jsonl(tmp_path / "a.jsonl", GOOD))
    with session_factory() as session:
        names = lambda **f: [p.name for p in list_partners(session, PartnerFilters(**f))[0]]  # noqa: E731
        assert names(kind="团队") == ["江南大学发酵工程团队"]
        assert names(province="浙江") == ["宁波高分子材料研究所"]
        assert names(domain="803") == ["东南大学视觉检测实验室"]
        assert names(domain="80") == ["东南大学视觉检测实验室"]
        assert names(q="阻燃") == ["宁波高分子材料研究所"]
        assert names(q="檢測") == ["东南大学视觉检测实验室"]  # traditional query, simplified entry


def test_every_process_sees_an_edit_at_its_next_match(session_factory, tmp_path):
    import_file(session_factory, write_jsonl(tmp_path / "a.jsonl", GOOD))
    console, action_server = MatchIndex(session_factory), MatchIndex(session_factory)
    need = Need("想改进锂电池隔膜的涂覆")
    assert console.current().match(need) == [] and action_server.current().match(need) == []
    with session_factory() as session, session.begin():
        institute = session.execute(select(Partner).where(Partner.kind == "科研院所")).scalar_one()
        raw = {**registry.partner_record(institute), "capability": "锂电池隔膜涂覆"}
        registry.update_partner(session, institute.id, raw, "li")
    assert [c.name for c in action_server.current().match(need)] == ["宁波高分子材料研究所"]
    assert [c.name for c in console.current().match(need)] == ["宁波高分子材料研究所"]
