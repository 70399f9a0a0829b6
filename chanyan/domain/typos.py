"""Typos and homophones people type for the words the assistant listens for (确任 → 确认, 作右 → 左右).

Only mends that cannot break a correct word: 高效 (efficient) and 准确人脸 stay as typed.

Each mend keeps the length, so a position in the mended text is the same position in what the user typed; the
interview's reading form and extraction's normalized text both apply it.
"""

from __future__ import annotations

TYPOS: tuple[tuple[str, str], ...] = (
    ("确任", "确认"),
    ("却认", "确认"),
    ("确忍", "确认"),
    ("确訂", "确定"),
    ("提较", "提交"),
    ("提叫", "提交"),
    ("没门题", "没问题"),
    ("没问提", "没问题"),
    ("预箅", "预算"),
    ("预蒜", "预算"),
    ("大盖", "大概"),
    ("作右", "左右"),
    ("做右", "左右"),
    ("协上", "协商"),
    ("写商", "协商"),
    ("联系仁", "联系人"),
)
assert all(len(wrong) == len(right) for wrong, right in TYPOS)


def mend_typos(text: str) -> str:
    """`text` with every known typo mended (same length)."""
    for wrong, right in TYPOS:
        if wrong in text:
            text = text.replace(wrong, right)
    return text
