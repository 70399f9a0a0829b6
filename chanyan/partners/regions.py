"""Regions of registry entries and enterprises: {province, city} in short canonical form (江苏, 苏州).

JioNLP's location parser does the work (it knows every province, city and county); its answers are cached
because registries repeat the same few hundred region strings and one parse costs milliseconds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# Economic areas an enterprise names as a preference (长三角) → the provinces they cover.
AREA_PROVINCES: dict[str, tuple[str, ...]] = {
    "长三角": ("上海", "江苏", "浙江", "安徽"),
    "江浙沪": ("江苏", "浙江", "上海"),
    "珠三角": ("广东",),
    "京津冀": ("北京", "天津", "河北"),
    "粤港澳大湾区": ("广东", "香港", "澳门"),
    "成渝": ("四川", "重庆"),
}
# Preference words that mean "where the enterprise is".
LOCAL_WORDS: dict[str, str] = {"本地": "city", "省内": "province"}
# Preference words that constrain nothing.
ANY_WORDS: frozenset[str] = frozenset({"国内", "国外", "不限"})

_PROVINCE_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_CITY_SUFFIX = re.compile(r"(?:市|地区|自治州|盟)$")
_SEPARATORS = re.compile(r"[\s/／|｜,，、\-—·]+")
_LOCK = threading.Lock()


def short_province(name: str | None) -> str | None:
    """江苏省 → 江苏, 广西壮族自治区 → 广西, 北京市 → 北京."""
    if not name:
        return None
    return _PROVINCE_SUFFIX.sub("", name.strip()) or None


def short_city(name: str | None) -> str | None:
    """苏州市 → 苏州; 香港 stays 香港."""
    if not name:
        return None
    name = name.strip()
    return (_CITY_SUFFIX.sub("", name) if len(name) > 2 else name) or None


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> tuple[str | None, str | None]:
    from chanyan.extraction.jio import jionlp

    with _LOCK:  # JioNLP's parser keeps state between calls
        found = jionlp().parse_location(text)
    province = short_province(found.get("province"))
    city = short_city(found.get("city"))
    return province, city


def parse_region(value: Any) -> dict[str, str | None]:
    """{"province", "city"} from "江苏苏州", "江苏省/苏州市", "苏州", {"province": ..., "city": ...} or None.

    Unknown text gives both None (the caller decides whether that is an error).
    """
    if isinstance(value, Mapping):
        text = " ".join(str(value.get(k) or "") for k in ("province", "city"))
    else:
        text = str(value or "")
    text = _SEPARATORS.sub(" ", text).strip()
    if not text:
        return {"province": None, "city": None}
    province, city = _parse_cached(text.replace(" ", ""))
    return {"province": province, "city": city}


def enterprise_region(name: str | None) -> dict[str, str | None]:
    """Where an enterprise is, read from its name (苏州精工机械有限公司 → 江苏, 苏州); None parts when unknown."""
    name = (name or "").strip()
    if not name:
        return {"province": None, "city": None}
    # Only the start of a name says where the company is registered ("上海xx" but not "xx上海分公司").
    province, city = _parse_cached(name[:12])
    return {"province": province, "city": city}


def region_label(region: Mapping[str, Any] | None) -> str:
    """江苏苏州, 北京, 江苏 — for display; empty when unknown."""
    if not region:
        return ""
    province, city = region.get("province") or "", region.get("city") or ""
    return province if not city or city == province else f"{province}{city}"


def preferred_provinces(
    regions: list[str], enterprise: Mapping[str, Any] | None
) -> tuple[set[str], set[str]]:
    """The provinces and cities an enterprise's region preference (["江苏", "长三角", "本地"]) asks for."""
    provinces: set[str] = set()
    cities: set[str] = set()
    for word in regions or ():
        word = str(word).strip()
        if not word or word in ANY_WORDS:
            continue
        if word in AREA_PROVINCES:
            provinces.update(AREA_PROVINCES[word])
        elif word in LOCAL_WORDS:
            if enterprise and LOCAL_WORDS[word] == "city" and enterprise.get("city"):
                cities.add(enterprise["city"])
            elif enterprise and enterprise.get("province"):
                provinces.add(enterprise["province"])
        else:
            parsed = parse_region(word)
            if parsed["city"] and short_province(word) != parsed["province"]:
                cities.add(parsed["city"])  # 苏州, 江苏苏州: a city
            elif parsed["province"]:
                provinces.add(parsed["province"])
    return provinces, cities
