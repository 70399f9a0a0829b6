"""Text the project did not write: 繁體, unit costs and counts, loans, foreign currencies, dated and relative
time expressions, non-technical requests, lab self-descriptions and pasted forms."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chanyan.extraction import from_entities, to_entities
from chanyan.extraction.textnorm import normalize_text

NOV = datetime(2026, 11, 20, 10, 0)


def budget_of(extractor, text: str):
    budget = extractor.extract(text, now=NOV)["budget"]
    return None if budget is None else (budget["min_cny"], budget["max_cny"], budget["kind"])


def timeline_of(extractor, text: str, now: datetime = NOV):
    timeline = extractor.extract(text, now=now)["timeline"]
    return None if timeline is None else (timeline["deadline"], timeline["months"])


# --- traditional script and full-width text --------------------------------------------------------------


def test_traditional_script_reads_like_simplified(extractor):
    result = extractor.extract(
        "我們是台資企業，主要做PCB電路板，現在想導入AI瑕疵檢測系統，預算大約新台幣300萬，希望明年第三季前完成。",
        now=NOV,
    )
    assert result["domains"] and result["domains"][0]["code"] in ("10", "80")
    assert result["budget"]["min_cny"] == result["budget"]["max_cny"] == 660_000
    assert result["budget"]["kind"] == "approx"
    assert result["timeline"]["deadline"] == "2027-09-30"


def test_spans_and_keywords_keep_the_users_own_wording(extractor):
    text = "我們想開發鋰電池極片的機器視覺檢測設備，預算５０萬元以內，明年６月前"
    result = extractor.extract(text, now=NOV)
    assert result["budget"]["text"] == "５０萬元以內" and result["budget"]["text"] in text
    assert result["budget"]["max_cny"] == 500_000
    assert result["timeline"]["text"] in text and result["timeline"]["deadline"] == "2027-06-30"
    assert result["keywords"] and all(k in text for k in result["keywords"])


def test_normalization_maps_every_span_back():
    norm = normalize_text("  預算：\u3000新台幣 ８００萬元  ")
    assert norm.text == "预算： 新台币 800万元"
    start = norm.text.index("800")
    assert norm.original_text(start, len(norm.text)) == "８００萬元"


def test_regional_wording_finds_the_same_category(extractor):
    ranked = extractor.rank_domains("半導體廠想開發晶片封裝的翹曲量測設備")
    assert "102" in [d["sub_code"] for d in ranked]
    ranked = extractor.rank_domains("徵求工具機主軸熱變形補償技術")
    assert ranked[0]["sub_code"] == "804"


# --- money: what is not a budget ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "吨水处理成本不超过3块，想找一套新的生化工艺",
        "产品单价仅0.8元/件，注塑件缩痕想解决",
        "电价0.6元/度，想做余热回收",
        "每件成本约150元，烧成合格率低想找专家看看",
        "当前原料成本约每公斤1800元，想优化合成工艺",
    ],
)
def test_unit_costs_and_prices_are_not_budgets(extractor, text):
    assert extractor.extract(text, now=NOV)["budget"] is None


@pytest.mark.parametrize(
    "text",
    [
        "俺们是养猪合作社，存栏三千来头，猪粪水处理不过来，想找专家给弄个办法",
        "企业年产40万吨乙二醇，想做余热回收改造",
        "覆盖车辆约2万辆，需要北斗定位终端",
        "我们合作社种了800亩猕猴桃，溃疡病很严重",
    ],
)
def test_counts_and_output_are_not_budgets(extractor, text):
    assert extractor.extract(text, now=NOV)["budget"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "企业年产值超20亿元，想与高校合作开发电驱动系统热管理技术，研发投入1200万元",
            (12_000_000, 12_000_000, "exact"),
        ),
        (
            "已完成B轮融资8亿元，同时与高校合作研究固态电池，研发经费预算2500万元",
            (25_000_000, 25_000_000, "exact"),
        ),
        (
            "企业今年计划贷款2亿元扩建选厂，另投入研发资金300万元研究尾矿综合回收",
            (3_000_000, 3_000_000, "exact"),
        ),
        ("项目总投资3200万元，其中研发经费600万元", (6_000_000, 6_000_000, "exact")),
    ],
)
def test_loans_financing_and_revenue_lose_to_the_labelled_budget(extractor, text, expected):
    assert budget_of(extractor, text) == expected


def test_a_pasted_form_keeps_its_labelled_budget_over_the_unit_cost(extractor):
    text = (
        "企业技术需求征集表\n一、需求名称：电解铝大修渣无害化处理技术\n三、需求背景：每年产生大修渣约1.2万吨，"
        "委托处置费用约每吨2800元。2028年起须全部无害化处置。\n四、技术指标：吨处理成本≤800元。\n"
        "五、拟投入经费：600-900万元\n六、完成时限：2年"
    )
    result = extractor.extract(text, now=NOV)
    assert (result["budget"]["min_cny"], result["budget"]["max_cny"]) == (6_000_000, 9_000_000)
    assert (result["timeline"]["deadline"], result["timeline"]["months"]) == (None, 24)


def test_a_labelled_negotiable_budget_beats_a_price(extractor):
    text = "征集表｜镍的市场价约每吨13万元｜拟投入经费：面议｜完成时限：一季度内完成中试方案"
    assert budget_of(extractor, text) == (None, None, "negotiable")


@pytest.mark.parametrize(
    ("text", "cny", "code"),
    [
        ("研发预算约新台幣400萬元", 880_000, "TWD"),
        ("項目預算：港幣350萬元", 3_220_000, "HKD"),
        ("研发经费200万欧元", 15_600_000, "EUR"),
        ("预算3000万日元", 1_440_000, "JPY"),
        ("项目经费约500万澳门元", 4_450_000, "MOP"),
    ],
)
def test_foreign_currencies_convert_with_the_dated_rate(extractor, text, cny, code):
    budget = extractor.parse_budget(text)
    assert budget["max_cny"] == cny
    assert budget["currency"]["code"] == code and budget["currency"]["as_of"]


# --- time expressions relative to the message time ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deadline", "months"),
    [
        ("下下个月底前提交方案", "2027-01-31", None),
        ("开春前把防治方案定下来", "2027-02-28", None),
        ("希望Q3前完工", "2027-09-30", None),
        ("一季度上线", "2027-03-31", None),
        ("春节前出样品", "2027-02-06", None),
        ("2028年底前完成装船试验", "2028-12-31", None),
        ("明年第三季前完成验证", "2027-09-30", None),
        ("项目执行期为2027年1月至2028年6月", "2028-06-30", None),
        ("中秋前要上市", "2027-09-15", None),
        ("研发周期18个月", None, 18),
        ("完成时限：三年", None, 36),
    ],
)
def test_time_expressions(extractor, text, deadline, months):
    timeline = extractor.parse_timeline(text, now=NOV)
    assert (timeline["deadline"], timeline["months"]) == (deadline, months) and timeline["text"] in text
    assert timeline_of(extractor, "我们想开发一套检测系统，" + text) == (deadline, months)


@pytest.mark.parametrize(
    "text",
    [
        "根据政策要求，2028年起磷石膏综合利用率须达到100%",
        "预计2028年起开展商业运营",
        "今年一季度，该市已促成校企合作项目43项",
        "研究所成立于2015年",
    ],
)
def test_starts_and_past_dates_are_not_deadlines(extractor, text):
    timeline = extractor.parse_timeline(text, now=NOV)
    assert timeline is None or (timeline["months"] or 0) < 240


def test_a_year_is_never_a_duration_of_thousands_of_months(extractor):
    timeline = extractor.extract("政策要求，2028年起综合利用率须达到100%，需要开发新工艺", now=NOV)[
        "timeline"
    ]
    assert timeline is None


def test_relative_dates_resolve_in_the_platform_time_zone(extractor, monkeypatch):
    monkeypatch.setenv("CHANYAN_TZ", "Asia/Shanghai")
    # 2026-11-30 20:00 UTC is already December 1st in Shanghai: 下个月 is January.
    late = datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc)
    assert extractor.parse_timeline("下个月底前", now=late)["deadline"] == "2027-01-31"


# --- needs that are not technical, and supply-side descriptions -----------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我们公司想贷个300万，用来扩大生产线，你们这边能对接银行吗？", "financing"),
        ("请问你们能帮忙对接天使投资人吗？我们团队做AI医疗影像，想融500万。", "financing"),
        ("想招两个做嵌入式开发的工程师，月薪1.5万到2万，你们平台能推荐人吗？", "hiring"),
        ("我们是做光伏组件的，库存了一批双面组件，每瓦1.1元低价出售，需要的联系我。", "selling"),
        ("想申请一下省里的技改补贴，项目总投资2000万，能不能帮我们写申报材料？", "subsidy"),
        ("本公司誠徵機構設計工程師兩名，月薪新台幣5萬至7萬", "hiring"),
    ],
)
def test_non_technical_requests_get_a_flag_and_no_domain(extractor, text, kind):
    result = extractor.extract(text, now=NOV)
    assert result["not_technical"]["kind"] == kind and result["not_technical"]["text"] in text
    assert result["domains"] == [] and result["budget"] is None


def test_the_flag_survives_the_rasa_entities(extractor):
    result = extractor.extract("公司正在找投资，计划融资5000万，有没有投资机构可以介绍？", now=NOV)
    assert from_entities(to_entities(result), text=result["text"]) == result


def test_a_technical_need_mentioning_financing_is_still_technical(extractor):
    result = extractor.extract(
        "记者了解到，一家新能源车企已完成新一轮融资50亿元，同时与高校合作，研究固态电池中硫化物电解质的界面稳定性。",
        now=NOV,
    )
    assert result["not_technical"] is None
    assert result["domains"][0]["sub_code"] == "603" and result["budget"] is None


@pytest.mark.parametrize(
    "text",
    [
        "我们实验室长期从事锂离子电池正极材料研究，拥有XRD、SEM等表征设备，已为十余家企业提供技术服务。",
        "本實驗室專注於影像辨識與深度學習研究，年度產學合作金額約新台幣2000萬元。",
        "团队长期从事城市生活垃圾焚烧烟气净化技术研究，科研经费超过5000万元。",
    ],
)
def test_a_lab_describing_itself_proposes_no_need(extractor, text):
    result = extractor.extract(text, now=NOV)
    assert result["domains"] == [] and result["budget"] is None and result["not_technical"] is None


# --- news and titles ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sub_code"),
    [
        (
            "本地一家年产值超20亿元的汽车零部件企业与高校达成合作，共同开发印染废水深度处理与中水回用技术",
            "701",
        ),
        ("基于深度学习的肺结节CT影像辅助诊断系统研发", "205"),
        ("面向新能源汽车的碳化硅功率模块封装与可靠性技术", "102"),
        ("低空经济场景下城市物流无人机起降平台研发", "301"),
        ("面向储能电站的电池簇热失控早期预警技术研究", "603"),
    ],
)
def test_the_need_clause_and_the_head_of_a_title_decide(extractor, text, sub_code):
    assert extractor.extract(text, now=NOV)["domains"][0]["sub_code"] == sub_code


def test_the_fields_of_a_pasted_form_are_read_by_their_labels(extractor):
    text = (
        "需求名稱：茶園採摘機械臂視覺定位\n單位名稱：福建武夷岩韵茶业有限公司\n聯繫人：詹文斌\n"
        "聯繫電話：139-5991-2468\n郵箱：zhanwb@yanyun-example.cn\n拟投入经费：60万元"
    )
    labelled = extractor.extract(text)["labelled"]
    assert labelled["need_title"] == "茶園採摘機械臂視覺定位"  # the user's own script
    assert labelled["enterprise_name"] == "福建武夷岩韵茶业有限公司"
    assert labelled["contact_name"] == "詹文斌"
    assert labelled["contact_phone"] == "13959912468"
    assert labelled["contact_email"] == "zhanwb@yanyun-example.cn"


def test_a_phone_label_without_a_phone_is_not_a_field(extractor):
    labelled = extractor.extract("需求名称：焊缝缺陷检测\n联系电话：稍后提供")["labelled"]
    assert labelled == {"need_title": "焊缝缺陷检测"}
