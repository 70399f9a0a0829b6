"""`chanyan partners import|list|show|export` and `chanyan match` on the project's import fixtures."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chanyan.cli import main
from chanyan.store.migrate import upgrade
from chanyan.store.requests import file_request
from chanyan.store.session import make_engine, make_sessionmaker
from tests.postgres import BACKENDS, empty_database
from tests.unit.conftest import sample_fields

DATA = Path(__file__).resolve().parents[1] / "matching" / "data"


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    for url in empty_database(request.param, tmp_path / "cli.db", "chanyan_partners_cli"):
        upgrade(url)
        monkeypatch.setenv("DATABASE_URL", url)
        yield url


def run(*argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_bad_rows_are_reported_by_number_and_nothing_is_written(database_url, capsys):
    code, out = run("partners", "import", str(DATA / "registry_import.csv"))
    assert code == 1 and "未导入：3 行有误" in out
    errors = capsys.readouterr().err
    assert "第 10 行" in errors and "缺少名称" in errors
    assert "第 11 行（南粤检测服务中心）：缺少能力简介" in errors
    assert "第 12 行（浙江产业发展协会）：类型“协会”无法识别" in errors
    assert run("partners", "list")[1].strip() == "no registry entries"


def test_skip_invalid_then_the_same_rows_again_from_csv_and_xlsx(database_url):
    code, out = run("partners", "import", str(DATA / "registry_import.csv"), "--skip-invalid")
    assert code == 0 and "新增 8" in out and "跳过有误的 3 行" in out
    again = run("partners", "import", str(DATA / "registry_import.csv"), "--skip-invalid")[1]
    assert "新增 0，更新 0，未变 8" in again
    xlsx = run("partners", "import", str(DATA / "registry_import.xlsx"), "--skip-invalid")[1]
    assert "新增 0，更新 0，未变 8" in xlsx
    english = run("partners", "import", str(DATA / "registry_import_en.csv"))[1]
    assert "新增 5" in english
    listing = run("partners", "list", "--region", "安徽")[1]
    assert "江淮精密测量实验室" in listing and "瓯江流体机械研究所" not in listing


def test_an_export_imports_again_unchanged(database_url, tmp_path):
    run("partners", "import", str(DATA / "registry_import_en.csv"))
    for fmt in ("csv", "jsonl", "xlsx"):
        target = tmp_path / f"export.{fmt}"
        assert run("partners", "export", "--format", fmt, "-o", str(target))[0] == 0
        assert "新增 0，更新 0，未变 5" in run("partners", "import", str(target))[1], fmt
    shown = json.loads(run("partners", "show", "1")[1])
    assert shown["region"]["province"] and shown["capability"]


def test_match_from_stdin_answers_line_by_line_in_input_order(database_url, monkeypatch):
    run("partners", "import", str(DATA / "registry_import.csv"), "--skip-invalid")
    lines = [
        json.dumps({"text": "寒冷地区储能电站冬天容量掉得厉害，想改进电池保温"}, ensure_ascii=False),
        "not json",
        json.dumps(
            {"text": "机加工零件想做在线全检，测尺寸", "enterprise": "合肥某某机械有限公司"},
            ensure_ascii=False,
        ),
    ]
    code, out = run("match", "--stdin", "--top", "2", stdin="\n".join(lines) + "\n", monkeypatch=monkeypatch)
    answers = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(answers) == 3
    assert answers[0]["candidates"][0]["name"] == "岭北储能技术研究所"
    assert answers[1] == {"error": 'each line must be a JSON object with "text"', "candidates": []}
    best = answers[2]["candidates"][0]
    assert best["name"] == "江淮精密测量实验室" and "合肥，与企业同城" in best["why"]
    assert (
        set(best) == {"id", "name", "kind", "region", "score", "why"} and len(answers[2]["candidates"]) <= 2
    )


def test_match_a_filed_request(database_url):
    run("partners", "import", str(DATA / "registry_import.csv"), "--skip-invalid")
    engine = make_engine(database_url)
    request, _ = file_request(
        make_sessionmaker(engine),
        sample_fields(
            need_title="零件尺寸在线测量", need_description="机加工零件尺寸靠抽检，想用视觉做在线全检"
        ),
    )
    engine.dispose()
    code, out = run("match", request.ref.lower())
    answer = json.loads(out)
    assert code == 0 and answer["ref"] == request.ref
    assert answer["candidates"][0]["name"] == "江淮精密测量实验室"
    assert run("match", "XQ-20000101-0001")[0] == 1
