"""Regions in short canonical form, from registry text, enterprise names and preference words."""

from __future__ import annotations

from chanyan.partners.regions import enterprise_region, parse_region, preferred_provinces, region_label


def test_registry_region_text_in_its_usual_forms():
    for text in ("江苏苏州", "江苏省苏州市", "江苏/苏州", "苏州", {"province": "江苏省", "city": "苏州市"}):
        assert parse_region(text) == {"province": "江苏", "city": "苏州"}, text
    assert parse_region("广西壮族自治区") == {"province": "广西", "city": None}
    assert parse_region("") == {"province": None, "city": None}
    assert region_label(parse_region("北京市海淀区")) == "北京"


def test_an_enterprise_region_comes_from_the_start_of_its_name():
    assert enterprise_region("苏州精工机械有限公司") == {"province": "江苏", "city": "苏州"}
    assert enterprise_region("精工机械有限公司") == {"province": None, "city": None}


def test_preference_words_become_provinces_and_cities():
    home = {"province": "江苏", "city": "苏州"}
    provinces, cities = preferred_provinces(["长三角", "本地", "国内"], home)
    assert provinces == {"上海", "江苏", "浙江", "安徽"} and cities == {"苏州"}
    assert preferred_provinces(["省内", "深圳"], home) == ({"江苏"}, {"深圳"})


def test_jiangzhehu_is_the_three_provinces():
    provinces, cities = preferred_provinces(["江浙沪"], {"province": "广东", "city": "深圳"})
    assert provinces == {"江苏", "浙江", "上海"} and cities == set()
