"""Answers users type for phone, e-mail and optional questions."""

import pytest

from chanyan.domain.validation import (
    find_phones,
    has_meaningful_text,
    is_skip,
    normalize_email,
    normalize_phone,
    normalize_text,
)


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "+86 139 1234 5678",
        "+8613912345678",
        "８６１３９１２３４５６７８",
        "0086 13912345678",
        "(139)12345678",
    ],
)
def test_mobile_numbers_as_people_type_them_are_normalized(typed):
    assert normalize_phone(typed) == "13912345678"


@pytest.mark.parametrize(
    "typed", ["1391234567", "139123456789", "12912345678", "02161234567", "电话", "", None]
)
def test_invalid_mobile_numbers_are_rejected(typed):
    assert normalize_phone(typed) is None


def test_phones_are_found_inside_a_sentence_but_not_inside_longer_numbers():
    assert find_phones("我是王经理，电话139 1234 5678，备用13800138000") == ["13912345678", "13800138000"]
    assert find_phones("订单号 2139123456789012") == []
    assert find_phones("订单号213912345678") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("wang@Example.COM", "wang@example.com"),
        ("邮箱是 li.si+rd@corp.cn 谢谢", "li.si+rd@corp.cn"),
        ("zhang＠abc。com", "zhang@abc.com"),
    ],
)
def test_emails_are_found_and_normalized(typed, expected):
    assert normalize_email(typed) == expected


@pytest.mark.parametrize(
    "typed", ["wang@", "@example.com", "wang@example", "a@@b.com", "wang..x@example.com", "没有"]
)
def test_malformed_emails_are_rejected(typed):
    assert normalize_email(typed) is None


@pytest.mark.parametrize(
    "typed", ["跳过", "没有", "无", "暂无", "不需要", "skip", "没有。", "不方便提供", "暂时没有"]
)
def test_skip_words_decline_an_optional_question(typed):
    assert is_skip(typed)


@pytest.mark.parametrize("typed", ["没有预算上限", "无锡某某公司", "跳过这个问题的话会怎样"])
def test_answers_that_merely_start_like_a_skip_word_are_not_skips(typed):
    assert not is_skip(typed)


def test_emoji_and_punctuation_alone_are_not_meaningful():
    assert not has_meaningful_text("😀👍！！")
    assert not has_meaningful_text("   ")
    assert has_meaningful_text("OK")


def test_normalization_keeps_chinese_punctuation_and_collapses_whitespace():
    assert normalize_text("  我们是，某公司　\n\n 你好。\x00") == "我们是，某公司 你好。"
