"""Checking one registry row: required fields, kinds, regions, domains, contacts and every reason at once."""

from __future__ import annotations

from datetime import date

import pytest

from chanyan.partners.entries import EntryError, clean_entry


def row(**overrides):
    values = {
        "name": "东南大学精密测量实验室",
        "kind": "实验室",
        "parent": "东南大学",
        "region": "江苏南京",
        "capability": "在线精密测量与机器视觉检测",
        "domains": "803",
        "keywords": "机器视觉、精密测量，在线检测",
        "contact_name": "周老师",
        "contact_phone": "025-5209 1234 转 8001",
        "contact_email": "Zhou@Example.EDU.cn",
        "url": "www.example.edu.cn/lab",
        "reviewed_at": "2026年3月1日",
    }
    values.update(overrides)
    return values


def test_a_good_row_is_normalised(taxonomy):
    entry = clean_entry(row(), taxonomy)
    assert entry["region"] == {"province": "江苏", "city": "南京"}
    assert entry["domains"] == [{"code": "80", "sub_code": "803"}]
    assert entry["keywords"] == ["机器视觉", "精密测量", "在线检测"]
    assert entry["contact_email"] == "Zhou@example.edu.cn"
    assert entry["url"] == "https://www.example.edu.cn/lab"
    assert entry["reviewed_at"] == date(2026, 3, 1)


def test_every_problem_of_a_row_is_reported_together(taxonomy):
    with pytest.raises(EntryError) as caught:
        clean_entry(
            row(
                capability="",
                kind="外星机构",
                region="火星",
                domains="999",
                contact_email="zhou@",
                url="javascript:alert(1)",
            ),
            taxonomy,
        )
    reasons = "；".join(caught.value.reasons)
    for expected in (
        "缺少能力简介",
        "类型“外星机构”无法识别",
        "地区“火星”无法识别",
        "领域无法识别：999",
        "邮箱",
        "网址须以",
    ):
        assert expected in reasons


def test_the_kind_is_told_by_the_name_when_the_file_leaves_it_out(taxonomy):
    assert clean_entry(row(kind="", name="江南大学"), taxonomy)["kind"] == "高校"
    assert clean_entry(row(kind=None, name="宁波新材料产业技术研究院"), taxonomy)["kind"] == "新型研发机构"
    assert clean_entry(row(kind="课题组"), taxonomy)["kind"] == "团队"
    with pytest.raises(EntryError, match="缺少类型"):
        clean_entry(row(kind="", name="青松"), taxonomy)


def test_domains_are_read_from_codes_or_names(taxonomy):
    assert clean_entry(row(domains="803 高性能、智能化仪器仪表；新材料"), taxonomy)["domains"] == [
        {"code": "80", "sub_code": "803"},
        {"code": "40", "sub_code": None},
    ]
    assert clean_entry(row(domains=[{"code": "40", "sub_code": "403"}]), taxonomy)["domains"] == [
        {"code": "40", "sub_code": "403"}
    ]
    assert clean_entry(row(domains=None), taxonomy)["domains"] == []


def test_nested_region_and_contact_are_accepted(taxonomy):
    entry = clean_entry(
        row(region={"province": "广东", "city": "深圳"}, contact={"name": "李工", "phone": "13800000000"}),
        taxonomy,
    )
    assert entry["region"] == {"province": "广东", "city": "深圳"}
    assert entry["contact_phone"] == "025-5209 1234 转 8001"  # the flat column wins over the nested one
    entry = clean_entry(
        {k: v for k, v in row(contact={"name": "李工"}).items() if k != "contact_name"}, taxonomy
    )
    assert entry["contact_name"] == "李工"


def test_spreadsheet_numbers_and_overlong_text(taxonomy):
    assert clean_entry(row(contact_phone=13912345678.0), taxonomy)["contact_phone"] == "13912345678"
    with pytest.raises(EntryError, match="能力简介过长"):
        clean_entry(row(capability="测" * 4001), taxonomy)
    with pytest.raises(EntryError, match="电话"):
        clean_entry(row(contact_phone="请打总机"), taxonomy)
