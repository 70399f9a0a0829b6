"""Ranking and explanations on a small registry written for these tests."""

from __future__ import annotations

import pytest

from chanyan.partners.matcher import Need, PartnerDoc, PartnerMatcher

ENTRIES = [
    # id, name, kind, parent, province, city, sub codes, text
    (
        1,
        "东南大学视觉检测实验室",
        "实验室",
        "东南大学",
        "江苏",
        "南京",
        ["803"],
        "工业机器视觉、表面缺陷检测算法与在线检测装备",
    ),
    (
        2,
        "苏州精密测量研究院",
        "科研院所",
        None,
        "江苏",
        "苏州",
        ["803"],
        "精密测量与视觉定位，在线检测系统集成",
    ),
    (
        3,
        "深圳智能视觉研究中心",
        "科研院所",
        None,
        "广东",
        "深圳",
        ["803"],
        "机器视觉缺陷检测、深度学习质检平台",
    ),
    (
        4,
        "浙江大学高分子复合材料团队",
        "团队",
        "浙江大学",
        "浙江",
        "杭州",
        ["403"],
        "高分子复合材料、改性塑料与阻燃材料",
    ),
    (
        5,
        "臺灣風格光學檢測團隊",
        "团队",
        "某科技大學",
        "福建",
        "厦门",
        ["803"],
        "以機器視覺進行玻璃面板瑕疵檢測",
    ),
    (6, "江南大学发酵工程团队", "团队", "江南大学", "江苏", "无锡", ["206"], "食品发酵工艺优化与菌种选育"),
    # Two entries that say the same: only preferences can tell them apart.
    (7, "南京大学光伏团队", "团队", None, "江苏", "南京", ["603"], "光伏组件隐裂与热斑的电致发光检测"),
    (8, "广州光伏研究所", "科研院所", None, "广东", "广州", ["603"], "光伏组件隐裂与热斑的电致发光检测"),
]
NEED = "我们想用机器视觉自动检测零件表面的划痕和缺陷，替代人工目检"
DOMAINS = [{"code": "80", "sub_code": "803", "score": 0.9}]


@pytest.fixture(scope="module")
def matcher(analyzer):
    docs = [
        PartnerDoc(
            id_,
            name,
            kind,
            parent,
            province,
            city,
            tuple((s[:2], s) for s in subs),
            tuple(analyzer.tokens(f"{name} {parent or ''} {text}")),
        )
        for id_, name, kind, parent, province, city, subs, text in ENTRIES
    ]
    return PartnerMatcher(docs, analyzer)


def ids(candidates):
    return [c.id for c in candidates]


def test_the_shortlist_is_about_the_need_and_explains_itself(matcher):
    found = matcher.match(Need(NEED, keywords=["机器视觉", "缺陷检测"], domains=DOMAINS), top_k=5)
    assert set(ids(found)[:3]) == {1, 3, 5}
    assert 6 not in ids(found) and 4 not in ids(found)
    best = found[0]
    assert any(w.startswith("共同术语：") and "机器视觉" in w for w in best.why)
    assert "领域 803 相同" in best.why
    assert 0 < best.score <= 1 and best.score >= found[-1].score


def test_traditional_script_entries_are_found_by_simplified_needs(matcher):
    found = matcher.match(Need("玻璃面板瑕疵检测"), top_k=2)
    assert found[0].id == 5
    assert any("瑕疵" in w for w in found[0].why)


def test_the_enterprise_region_is_read_from_its_name(matcher):
    need = Need(NEED, domains=DOMAINS, enterprise="苏州精工机械有限公司")
    found = {c.id: c for c in matcher.match(need, top_k=5)}
    assert "苏州，与企业同城" in found[2].why
    assert "江苏，与企业同省" in found[1].why
    assert not any("与企业" in w for w in found[3].why)
    stated = {c.id: c for c in matcher.match(Need(NEED, domains=DOMAINS, region="广东深圳"), top_k=5)}
    assert "深圳，与企业同城" in stated[3].why


def test_type_and_region_preferences_decide_between_equally_good_entries(matcher):
    need = "光伏组件隐裂检测"
    campus = matcher.match(Need(need, types=["高校"]), top_k=2)
    assert ids(campus) == [7, 8] and "类型：高校下属团队（企业偏好）" in campus[0].why
    institute = matcher.match(Need(need, types=["科研院所"]), top_k=2)
    assert ids(institute) == [8, 7] and "类型：科研院所（企业偏好）" in institute[0].why
    south = matcher.match(Need(need, regions=["珠三角"]), top_k=2)
    assert ids(south) == [8, 7] and "地区：广东广州（企业偏好）" in south[0].why
    near = matcher.match(Need(need, enterprise="南京某某光电有限公司"), top_k=2)
    assert ids(near) == [7, 8] and "南京，与企业同城" in near[0].why


def test_a_named_institution_is_always_shown_first(matcher):
    found = matcher.match(Need(NEED, domains=DOMAINS, names=["浙江大学"]), top_k=3)
    assert found[0].id == 4 and found[0].why[0] == "企业点名：浙江大学"
    assert len(found) == 3
    assert matcher.match(Need(NEED, names=["江南大学"]), top_k=1)[0].id == 6


def test_exclusions_and_an_empty_registry(matcher, analyzer):
    assert 1 not in ids(matcher.match(Need(NEED, domains=DOMAINS), top_k=5, exclude=[1]))
    assert PartnerMatcher([], analyzer).match(Need(NEED)) == []
    assert matcher.match(Need("你好")) == []


def test_lexical_scores_are_those_of_bm25s():
    """Our column sums over bm25s's precomputed scores give bm25s's own scores, bit for bit."""
    import random

    import numpy as np

    from chanyan.partners.lexical import LexicalIndex

    rng = random.Random(3)
    vocab = [chr(0x4E00 + i) for i in range(200)]
    index = LexicalIndex([[rng.choice(vocab) for _ in range(rng.randint(0, 30))] for _ in range(500)])
    for _ in range(50):
        query = [rng.choice([*vocab, "不在词表"]) for _ in range(rng.randint(1, 20))]
        ids = [index._vocab[t] for t in query if t in index._vocab]
        expected = index._retriever.get_scores(ids) if ids else np.zeros(500, dtype=np.float32)
        assert np.array_equal(index.scores(query), expected)


def test_cutting_block_by_block_gives_jiebas_words():
    from chanyan.extraction import get_extractor
    from chanyan.partners.analysis import blockwise

    cut = get_extractor().tokenizer.cut_for_search
    cached = blockwise(cut)
    texts = [
        "团队长期从事面向制造业的机器视觉算法研究，重点解决金属、玻璃等表面缺陷的自动检出问题。",
        "C++ 与 C# 开发，精度 0.01mm，12.5% 的提升\n\t东南大学 机器视觉 缺陷检测",
        "",
        "  ",
    ]
    for text in texts * 2:  # the second pass reads the remembered blocks
        assert cached(text) == list(cut(text))
