"""Splitting, numbered choices and masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.wechat.text import (
    MAX_TEXT_BYTES,
    mask,
    match_title,
    neutralize_command,
    parse_choice,
    render_buttons,
    split_text,
    utf8_size,
)


def test_short_text_is_one_message():
    assert split_text("  您好  ") == ["您好"]
    assert split_text("   ") == []


def test_long_text_splits_at_line_ends_first():
    lines = [f"{i}." + "字" * 200 for i in range(10)]  # ~600 bytes a line
    chunks = split_text("\n".join(lines))
    assert all(utf8_size(c) <= MAX_TEXT_BYTES for c in chunks)
    assert all(c.split("\n")[0] in lines for c in chunks)  # every chunk starts at a line start


def test_a_single_huge_line_splits_at_sentences_then_anywhere():
    sentence = "这是一句话。" * 200
    chunks = split_text(sentence)
    assert all(utf8_size(c) <= MAX_TEXT_BYTES and c.endswith("。") for c in chunks)
    blob = "字" * 2000
    assert "".join(split_text(blob)) == blob


@given(st.text(alphabet=st.sampled_from(list("产研通需求 \n。！abc1😀")), max_size=3000), st.integers(8, 400))
def test_split_keeps_all_content_within_limits(text, max_bytes):
    chunks = split_text(text, max_bytes)
    assert all(0 < utf8_size(c) <= max_bytes for c in chunks)
    squash = lambda s: "".join(s.split())  # noqa: E731
    assert squash("".join(chunks)) == squash(text)


BUTTONS = [
    {"title": "委托开发", "payload": '/choose{"choice":"技术开发(委托开发)"}'},
    {"title": "合作开发", "payload": '/choose{"choice":"技术开发(合作开发)"}'},
    {"title": "技术转让", "payload": '/choose{"choice":"技术转让"}'},
]


def test_buttons_render_as_numbered_lines():
    assert (
        render_buttons("合作方式？", BUTTONS)
        == "合作方式？\n1. 委托开发\n2. 合作开发\n3. 技术转让\n（回复序号即可选择）"
    )
    assert render_buttons("请回复序号确认：", BUTTONS[:1]) == "请回复序号确认：\n1. 委托开发"


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("1", 0),
        ("１", 0),
        (" 2 ", 1),
        ("第1个", 0),
        ("第三个", 2),
        ("选2", 1),
        ("3.", 2),
        ("2、", 1),
        ("第２项", 1),
    ],
)
def test_choice_answers(text, index):
    assert parse_choice(text, len(BUTTONS)) == index


@pytest.mark.parametrize("text", ["0", "4", "13912345678", "1万", "12个人", "", "一些", "第"])
def test_not_choices(text):
    assert parse_choice(text, len(BUTTONS)) is None


def test_no_buttons_no_choice():
    assert parse_choice("1", 0) is None


def test_exact_titles_select_too():
    assert match_title("合作开发", BUTTONS) == 1
    assert match_title("合作", BUTTONS) is None


def test_typed_commands_are_neutralized():
    assert neutralize_command("/restart") == "／restart"
    assert neutralize_command("预算 50/80 万") == "预算 50/80 万"


def test_mask():
    assert mask("oyORnuP8q7ou2gfYjqLzSIWZf0rs") == "oyOR…f0rs"
    assert mask("13912345678") == "1391…5678"
    assert mask("") == "-" and mask("abc") == "a…"
