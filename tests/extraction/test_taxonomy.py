"""The taxonomy data file, lookups and our own jieba tokenizer."""

from __future__ import annotations

import jieba

from chanyan.extraction.lexicon import lexicon_terms

OFFICIAL_DOMAINS = {
    "10": "电子信息",
    "20": "生物与新医药",
    "30": "航空航天",
    "40": "新材料",
    "50": "高技术服务",
    "60": "新能源与节能",
    "70": "资源与环境",
    "80": "先进制造与自动化",
}


def test_all_eight_domains_with_official_codes(extractor):
    domains = extractor.taxonomy.domains
    assert {d["code"]: d["name"] for d in domains} == OFFICIAL_DOMAINS
    for domain in domains:
        assert domain["subcategories"], domain["name"]
        for sub in domain["subcategories"]:
            assert sub["code"].startswith(domain["code"][0]) and len(sub["code"]) == 3
    codes = [s["code"] for d in domains for s in d["subcategories"]]
    assert codes[0] == "101" and codes[-1] == "809"
    assert len(codes) == len(set(codes))


def test_find_by_code_name_and_alias(extractor):
    find = extractor.taxonomy.find
    assert find("803") == {
        "code": "80",
        "name": "先进制造与自动化",
        "sub_code": "803",
        "sub_name": "高性能、智能化仪器仪表",
    }
    assert find("80") == {"code": "80", "name": "先进制造与自动化", "sub_code": None, "sub_name": None}
    assert find("先进制造与自动化")["code"] == "80"
    assert find("新材料") == {"code": "40", "name": "新材料", "sub_code": None, "sub_name": None}
    assert find("智能装备")["sub_code"] == "804"
    assert find(" 软件 ")["sub_code"] == "101"
    assert find("高性能智能化仪器仪表")["sub_code"] == "803"
    assert find("不存在的领域xyz") is None
    assert find("") is None


def test_lexicon_has_at_least_2000_terms(extractor):
    terms = lexicon_terms(extractor.taxonomy)
    assert len(terms) >= 2000
    for term in ("基因测序", "工业大数据", "机器视觉", "锂电池", "盐雾测试", "MES", "PLC"):
        assert term in terms


def test_our_tokenizer_keeps_terms_whole_and_leaves_global_jieba_alone(extractor):
    tokens = extractor.tokenizer.lcut("我们想做基因测序和工业大数据，盐雾测试也要做")
    for term in ("基因测序", "工业大数据", "盐雾测试"):
        assert term in tokens
    assert extractor.tokenizer is not jieba.dt
    assert "盐雾测试" not in jieba.dt.FREQ
