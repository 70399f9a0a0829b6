"""Property-based: any text at all gives a well-formed result and never raises."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chanyan.domain.schema import BUDGET_KINDS, COOP_MODES, PARTNER_TYPES

CHINESE = st.text(
    alphabet=st.sampled_from(
        "锂电池预算万元明年底前半年内委托合作专利高校检测三五十一二百千亿年月日号前内左右面议不急"
    ),
    max_size=60,
)


def _check(result: dict) -> None:
    json.dumps(result, ensure_ascii=False)
    assert len(result["domains"]) <= 3 and len(result["keywords"]) <= 5
    for domain in result["domains"]:
        assert 0.0 <= domain["score"] <= 1.0
    if result["budget"] is not None:
        budget = result["budget"]
        assert budget["kind"] in BUDGET_KINDS
        if budget["min_cny"] is not None and budget["max_cny"] is not None:
            assert budget["min_cny"] <= budget["max_cny"]
    if result["timeline"] is not None:
        assert result["timeline"]["months"] is None or result["timeline"]["months"] >= 1
    assert set(result["coop_modes"]) <= set(COOP_MODES)
    assert set(result["partner"]["types"]) <= set(PARTNER_TYPES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_random_text_never_raises(extractor, text):
    _check(extractor.extract(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=CHINESE)
def test_random_chinese_fragments_are_consistent(extractor, text):
    _check(extractor.extract(text))
    assert extractor.parse_budget(text) is None or extractor.parse_budget(text)["kind"] in BUDGET_KINDS
