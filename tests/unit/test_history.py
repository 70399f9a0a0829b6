"""The change log in words: values as people read them, statuses in Chinese, who by display name."""

from __future__ import annotations

import json

from chanyan.console.history import describe
from chanyan.store.models import AuditEntry

NAMES = {"zhang": "张三", "li": "李四"}


def entry(action: str, field: str | None, old, new) -> AuditEntry:
    def text(value):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value

    return AuditEntry(actor="zhang", action=action, field=field, old_value=text(old), new_value=text(new))


def test_a_budget_edit_reads_as_amounts():
    old = {"kind": "approx", "min_cny": 500000, "max_cny": 500000, "text": "50万左右"}
    new = {"kind": "approx", "min_cny": 500000, "max_cny": 600000, "text": "50万左右"}
    assert describe(entry("edit", "budget", old, new), NAMES) == "张三 把拟投入资金从 约50万元 改为 50–60万元"


def test_statuses_assignments_and_lists_are_in_chinese():
    assert (
        describe(entry("status", "status", "new", "reviewing"), NAMES) == "张三 把状态从 新提交 改为 审核中"
    )
    assert (
        describe(entry("status", "status", "matched", "closed：企业已自行解决"), NAMES)
        == "张三 把状态从 已匹配 改为 已关闭（企业已自行解决）"
    )
    assert describe(entry("assign", "assignee", None, "li"), NAMES) == "张三 把负责人设为 李四"
    assert describe(entry("assign", "assignee", "li", None), NAMES) == "张三 取消了负责人 李四"
    assert (
        describe(entry("edit", "coop_mode", ["技术转让"], ["技术转让", "技术咨询"]), NAMES)
        == "张三 把合作方式从 技术转让 改为 技术转让、技术咨询"
    )
    domain = {
        "code": "80",
        "name": "先进制造与自动化",
        "sub_code": "803",
        "sub_name": "高性能、智能化仪器仪表",
    }
    assert (
        describe(entry("edit", "domain", None, domain), NAMES)
        == "张三 填写了所属领域：先进制造与自动化 / 高性能、智能化仪器仪表"
    )
    assert describe(entry("note", "note", None, "已约周五走访"), NAMES) == "张三 添加了备注：已约周五走访"
    assert (
        describe(entry("edit", "tech_targets", "精度0.1mm", None), {})
        == "zhang 清空了技术关键/指标（原为 精度0.1mm）"
    )
