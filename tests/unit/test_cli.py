"""The `chanyan` command: list, show, export, db upgrade."""

from __future__ import annotations

import csv
import io
import json

import pytest

from chanyan.cli import main
from chanyan.requests.export import EXPORT_COLUMNS
from chanyan.store.requests import file_request
from tests.unit.conftest import sample_fields


@pytest.fixture
def filed(database_url, session_factory, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    first, _ = file_request(session_factory, sample_fields())
    second, _ = file_request(
        session_factory,
        sample_fields(draft_id="d2", enterprise_name="杭州云图软件有限公司", contact_email="a@b.cn"),
    )
    return first, second


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_list_shows_newest_first(filed):
    code, out = run("requests", "list")
    lines = out.strip().splitlines()
    assert code == 0
    assert lines[0].startswith(filed[1].ref) and "杭州云图软件有限公司" in lines[0]
    assert "50–80万元" in lines[1]


def test_show_prints_the_design_record(filed):
    code, out = run("requests", "show", filed[0].ref)
    record = json.loads(out)
    assert code == 0
    assert record["ref"] == filed[0].ref
    assert record["domain"] == {
        "code": "80",
        "name": "先进制造与自动化",
        "sub_code": "803",
        "sub_name": "高性能、智能化仪器仪表",
    }
    assert record["budget"]["kind"] == "range"
    assert record["status_history"][0]["to"] == "new"


def test_show_an_unknown_ref_fails_clearly(filed, capsys):
    code, _ = run("requests", "show", "XQ-20000101-9999")
    assert code == 1
    assert "no request XQ-20000101-9999" in capsys.readouterr().err


def test_export_jsonl_has_one_record_per_line_oldest_first(filed):
    _, out = run("requests", "export", "--format", "jsonl")
    records = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["ref"] for r in records] == [filed[0].ref, filed[1].ref]
    assert records[1]["contact_email"] == "a@b.cn"


def test_export_csv_to_a_file_opens_in_excel(filed, tmp_path):
    target = tmp_path / "requests.csv"
    code, _ = run("requests", "export", "--format", "csv", "--output", str(target))
    raw = target.read_bytes()
    assert code == 0
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese correctly
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [label for _, label in EXPORT_COLUMNS]
    assert rows[1][0] == filed[0].ref
    assert "技术开发(委托开发)" in rows[1]


def test_export_csv_defuses_cells_a_spreadsheet_would_run_as_formulas(
    database_url, session_factory, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    file_request(
        session_factory,
        sample_fields(
            draft_id="hostile",
            enterprise_name='=HYPERLINK("http://evil.example/x","点我")',
            need_title="+cmd|' /C calc'!A0",
            contact_name="@SUM(1+1)",
        ),
    )
    _, out = run("requests", "export", "--format", "csv")
    row = list(csv.reader(io.StringIO(out)))[1]
    assert '\'=HYPERLINK("http://evil.example/x","点我")' in row
    assert "'+cmd|' /C calc'!A0" in row and "'@SUM(1+1)" in row
    assert not any(cell.startswith(("=", "+", "@")) for cell in row)


def test_db_upgrade_reports_the_revision(empty_database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    code, out = run("db", "upgrade")
    assert code == 0 and "revision" in out
