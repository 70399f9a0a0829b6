"""Classes of published-register wording found in the third tuning file (published_forms.jsonl): forms whose fields
run together in 【】 or are separated by 「/」, technical needs that also talk about sales channels, wholesale prices
or their engineers' experience, and how long a step of the enterprise's process takes (not the need's limit)."""

from __future__ import annotations

import pytest

from tests.extraction.test_published_generalisation import NOV, top_sub


def test_slash_separated_form_fields_in_traditional_script(extractor):
    text = (
        "項目名稱：倉庫叉車防碰撞預警/申請單位：荃灣裕豐倉儲有限公司/項目內容：叉車與行人碰撞事故時有發生。"
        "/項目預算：港幣90萬元/聯絡人：何嘉豪/電郵：kh.ho@yufung-example.hk"
    )
    labelled = extractor.extract(text, now=NOV)["labelled"]
    assert labelled["need_title"] == "倉庫叉車防碰撞預警"
    assert labelled["enterprise_name"] == "荃灣裕豐倉儲有限公司"
    assert labelled["contact_name"] == "何嘉豪"
    assert labelled["contact_email"] == "kh.ho@yufung-example.hk"


def test_bracketed_fields_after_a_title_leak_neither_the_title_nor_the_labels(extractor):
    text = (
        "重点企业技术需求征集【项目名称】果蔬清洗线节水改造【申报单位】寿光绿野蔬菜加工有限公司"
        "【存在问题】每吨蔬菜清洗用水约8吨【联系人】隋晓东【手机】13806361234"
    )
    labelled = extractor.extract(text, now=NOV)["labelled"]
    assert labelled == {
        "need_title": "果蔬清洗线节水改造",
        "enterprise_name": "寿光绿野蔬菜加工有限公司",
        "need_description": "每吨蔬菜清洗用水约8吨",
        "contact_name": "隋晓东",
        "contact_phone": "13806361234",
    }


@pytest.mark.parametrize(
    "text",
    [
        "我们的卤味产品主要走商超渠道，真空包装后胀袋比例偏高，想找专家改进杀菌工艺，预算20万元。",
        "本公司茶葉以批發價供應茶行，烘焙程度全靠老師傅判斷，希望開發烘焙溫度自動控制設備。",
        "厂里有几位经验丰富的机修工程师，但减速机异响的原因一直找不到，希望请高校做振动分析。",
        "产品通过经销商卖到全国，客户反映电动车充电器发热严重，想优化散热结构设计。",
        "我们仓库的库存数据全靠手工登记，想做一个扫码出入库和库存预警的系统。",
        "公司想打开海外市场，但陶瓷釉面的耐酸性达不到出口要求，希望合作改良釉料配方。",
    ],
)
def test_a_sales_or_staff_remark_beside_a_technical_need_is_no_flag(extractor, text):
    result = extractor.extract(text, now=NOV)
    assert result["not_technical"] is None
    assert result["domains"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我们的有机蔬菜想进商超，不知道怎么对接采购，每斤批发价3元。", "selling"),
        ("急招两名有注塑调机经验的技术员，包吃住。", "hiring"),
        ("研究所征求博士后两名，要求有催化材料研究背景。", "hiring"),
        ("我们有经验丰富的工程师团队，现在想申请一笔300万的流动资金贷款。", "financing"),
        ("仓库里积压了一批库存的伺服电机，想找渠道清掉。", "selling"),
    ],
)
def test_non_technical_requests_that_mention_technology_are_still_flagged(extractor, text, kind):
    result = extractor.extract(text, now=NOV)
    assert (result["not_technical"] or {}).get("kind") == kind
    assert result["domains"] == []


@pytest.mark.parametrize(
    "text",
    [
        "我们的酱油发酵周期长达180天，希望合作缩短发酵时间，预算50万元。",
        "目前换模时间约需4小时，生产周期要20天，希望优化排产。",
        "堆肥周期约60天，想找菌剂把周期缩短到30天以内。",
    ],
)
def test_how_long_a_process_step_takes_is_no_time_limit(extractor, text):
    assert extractor.extract(text, now=NOV)["timeline"] is None


def test_a_project_period_is_still_months(extractor):
    found = extractor.extract("想与高校合作研发生物菌剂，项目周期18个月，预算80万元。", now=NOV)["timeline"]
    assert (found["deadline"], found["months"]) == (None, 18)


@pytest.mark.parametrize(
    ("text", "sub"),
    [
        ("风电场叶片无人机巡检与表面裂纹自动识别", "601"),
        ("高压输电线路无人机巡检的绝缘子缺陷识别", "806"),
        ("希望利用无人机红外影像自动识别光伏组件的热斑", "601"),
    ],
)
def test_the_inspected_object_decides_not_the_inspecting_machine(extractor, text, sub):
    assert top_sub(extractor, text) == sub


def test_a_company_name_in_a_bracketed_form_does_not_vote(extractor):
    text = "【需求名称】燃煤锅炉烟气脱硝改造【需求单位】宁波港城冷链物流有限公司【预算】200万元"
    assert top_sub(extractor, text) == "702"


@pytest.mark.parametrize(
    ("text", "sub"),
    [
        ("我们的速冻汤圆冻裂率偏高，想找专家看看配方", "206"),
        ("食品包装复合膜的热封强度不够，运输中容易破袋", "403"),
        ("门店想做智能补货，减少缺货和临期报废", "506"),
        ("曲轴磨削烧伤问题严重，想优化磨削参数", "804"),
        ("想开发一种秸秆还田用的腐熟剂", "207"),
    ],
)
def test_words_of_food_packaging_retail_grinding_and_fertiliser_needs(extractor, text, sub):
    assert top_sub(extractor, text) == sub
