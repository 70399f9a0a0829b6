"""Classes of published-register wording found in the second tuning file (published_more.jsonl): names of
universities, waste made into products, pollutants named by their source, generic title heads, Hong Kong variant
characters, terms hidden by a longer one that crosses a token, and labels of forms separated by 「/」 or 【】."""

from __future__ import annotations

from datetime import datetime

import pytest

from chanyan.extraction.domains import institution_spans
from chanyan.extraction.textnorm import fold

NOV = datetime(2026, 11, 20, 10, 0)


def top_sub(extractor, text: str) -> str | None:
    ranked = extractor.extract(text, now=NOV)["domains"]
    return ranked[0]["sub_code"] if ranked else None


def test_the_name_of_a_university_is_who_not_what():
    text = "一家储能企业联合华中农业大学和中科院某研究所开展研究"
    assert [text[a:b] for a, b in institution_spans(text)] == ["华中农业大学", "中科院某研究所"]


def test_a_university_name_does_not_vote_for_its_field(extractor):
    assert top_sub(extractor, "一家泵业公司与华南农业大学合作研制高效节能离心泵的叶轮") == "805"


def test_waste_made_into_a_product_is_waste_utilisation(extractor):
    assert top_sub(extractor, "某钢厂联合高校开发利用钢渣制备透水砖的技术") == "703"


def test_a_pollutant_named_by_its_source_is_the_object(extractor):
    assert top_sub(extractor, "想解决污泥干化车间产生的臭味，周边居民投诉较多") == "702"


def test_a_generic_title_head_leaves_the_specific_term_to_decide(extractor):
    assert top_sub(extractor, "基于机器学习的功率芯片封装缺陷分类系统开发") == "102"


def test_hong_kong_variant_characters_fold_like_the_rest():
    assert fold("衞星遙感") == "卫星遥感"


def test_a_term_refused_at_a_token_boundary_leaves_the_shorter_one(extractor):
    assert top_sub(extractor, "现征集农田土壤镉污染治理技术，面积约三千亩") == "706"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("诚征具备十年以上汽车电子研发经验的资深硬件工程师，待遇面议", "hiring"),
        ("今年的高山茶叶丰收了，想找商超合作销售，每斤批发价两百元", "selling"),
    ],
)
def test_more_non_technical_wording(extractor, text, kind):
    result = extractor.extract(text, now=NOV)
    assert result["domains"] == [] and result["not_technical"]["kind"] == kind


@pytest.mark.parametrize(
    "text",
    [
        "我们是一家专注于智能仓储系统集成的服务商，已为二百多家企业交付立体库项目",
        "该所是国内较早开展海洋防腐涂层研究的机构之一，拥有多个海上试验站",
        "学院现有材料加工工程博士点，建有金属增材制造实验平台，年均承担企业委托课题二十余项",
    ],
)
def test_more_self_descriptions_propose_no_need(extractor, text):
    assert extractor.extract(text, now=NOV)["domains"] == []


def test_a_weak_word_after_a_label_keeps_the_label(extractor):
    text = "三、现状：每年维护费用约900万元。\n四、拟投入资金：300万元\n五、完成时限：2027年底前"
    budget = extractor.extract(text, now=NOV)["budget"]
    assert (budget["min_cny"], budget["kind"]) == (3_000_000, "exact")


def test_a_slash_between_form_fields_is_not_a_unit(extractor):
    text = "项目名称：园区路灯智能控制/项目预算：港币200万元/完成时间：2027年6月前"
    budget = extractor.extract(text, now=NOV)["budget"]
    assert budget["min_cny"] == 1_840_000
    assert extractor.extract("回收价每吨1800元/吨，预算二十万", now=NOV)["budget"]["min_cny"] == 200_000


def test_a_cooperation_period_is_months(extractor):
    timeline = extractor.extract("双方联合研发高温合金叶片的定向凝固工艺，合作期两年", now=NOV)["timeline"]
    assert timeline["months"] == 24
