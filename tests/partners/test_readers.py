"""Import files: .jsonl, .csv with or without BOM, .xlsx; English or Chinese headers; row numbers as people see them."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from chanyan.partners.readers import ImportFileError, column_for, read_file

CHINESE = ["名称", "类型", "地区", "研究方向", "关键词", "电话"]
ROWS = [
    ["江南大学食品发酵团队", "团队", "江苏无锡", "发酵工艺优化与菌种选育", "发酵、菌种", "0510-1234567"],
    ["", "", "", "", "", ""],
    ["深圳先进材料研究院", "科研院所", "广东深圳", "锂电池正极材料与固态电解质", "锂电池", ""],
]


def csv_bytes(header, rows, bom: bool) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")


@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_chinese_headers_with_or_without_bom(tmp_path, bom):
    path = tmp_path / "registry.csv"
    path.write_bytes(csv_bytes(CHINESE, ROWS, bom))
    source = read_file(path)
    assert [r.number for r in source.rows] == [2, 4]  # the blank row 3 is skipped, numbering is kept
    first = source.rows[0].values
    assert first["name"] == "江南大学食品发酵团队" and first["capability"] == "发酵工艺优化与菌种选育"
    assert first["contact_phone"] == "0510-1234567"
    assert "contact_phone" not in source.rows[1].values  # an empty cell is no value
    assert source.unknown_headers == []


def test_xlsx_with_english_headers_and_an_unknown_column(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "KIND", "region", "Capability", "Keywords", "Remarks"])
    sheet.append(["华中农业大学植保团队", "团队", "湖北武汉", "作物病虫害绿色防控", "病虫害", "内部备注"])
    sheet.append(["西北工业大学", "高校", "陕西西安", "航空材料与结构健康监测", None, None])
    path = tmp_path / "registry.xlsx"
    book.save(path)
    source = read_file(path)
    assert [r.number for r in source.rows] == [2, 3]
    assert source.rows[1].values == {
        "name": "西北工业大学",
        "kind": "高校",
        "region": "陕西西安",
        "capability": "航空材料与结构健康监测",
    }
    assert source.unknown_headers == ["Remarks"]


def test_jsonl_keys_in_either_language_and_bad_lines(tmp_path):
    lines = [
        json.dumps(
            {"名称": "合肥智能装备研究院", "能力简介": "工业机器人", "region": {"province": "安徽"}},
            ensure_ascii=False,
        ),
        "{not json",
        "",
        json.dumps(["a list"]),
        json.dumps({"name": "某团队", "capability": "x", "contact": {"name": "王工"}}, ensure_ascii=False),
    ]
    path = tmp_path / "registry.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    source = read_file(path)
    assert [(r.number, r.error) for r in source.rows] == [
        (1, None),
        (2, "不是有效的 JSON"),
        (4, "每行须是一个 JSON 对象"),
        (5, None),
    ]
    assert source.rows[0].values["region"] == {"province": "安徽"}
    assert source.rows[3].values["contact"] == {"name": "王工"}


def test_whole_file_problems_are_explained(tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("名称,能力简介\n江南大学,发酵\n".encode("gbk"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        read_file(gbk)
    missing = tmp_path / "missing.csv"
    missing.write_text("名称,地区\n江南大学,江苏\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="能力简介"):
        read_file(missing)
    with pytest.raises(ImportFileError, match="不支持"):
        read_file(tmp_path / "registry.txt")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(ImportFileError, match="xlsx"):
        read_file(broken)


def test_header_cells_tolerate_marks_and_hints():
    assert column_for(" 名称* ") == "name"
    assert column_for("能力简介（必填）") == "capability"
    assert column_for("Contact_Email") == "contact_email"
    assert column_for("备注") is None
