"""Figures over the verdicts of one split, and how they are printed."""

from __future__ import annotations

import json
from collections import Counter
from statistics import mean, median
from typing import Any

TARGET_ALL_RIGHT = 0.90
TARGET_MEDIAN_TURNS = 7


def _share(part: int, whole: int) -> dict[str, Any]:
    return {"n": part, "of": whole, "share": round(part / whole, 4) if whole else None}


def totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The split's figures (every one a count, a share or a turn statistic; no item is named)."""
    to_file = [r for r in results if r["filed_expected"]]
    not_to_file = [r for r in results if not r["filed_expected"]]
    filed = [r for r in results if r["filed"]]
    turns_filed = [r["user_turns_to_file"] for r in filed if r.get("user_turns_to_file")]
    checks = [c for r in results for c in r.get("checks") or []]
    wrong = Counter(f for r in to_file for f in r["wrong"])
    talk = Counter(f for r in filed for f in r["talk"])
    return {
        "conversations": len(results),
        "filed_all_right": _share(sum(bool(r["ok"]) for r in to_file), len(to_file)),
        "filed_all_right_no_repair": _share(sum(bool(r["ok_without_repair"]) for r in to_file), len(to_file)),
        "filed": _share(sum(bool(r["filed"]) for r in to_file), len(to_file)),
        "filed_with_talk": _share(sum(bool(r["talk"]) for r in filed), len(filed)),
        "median_turns_filed": median(turns_filed) if turns_filed else None,
        "mean_turns_filed": round(mean(turns_filed), 2) if turns_filed else None,
        "mean_turns_all": round(mean(r["user_turns"] for r in results), 2) if results else None,
        "not_filed_when_expected": _share(sum(not r["filed"] for r in not_to_file), len(not_to_file)),
        "not_filed_with_expected_reply": _share(sum(bool(r["ok"]) for r in not_to_file), len(not_to_file)),
        "message_checks_passed": _share(sum(bool(c["ok"]) for c in checks), len(checks)),
        "confirmation_retried": sum(r.get("confirm_retries", 0) > 0 for r in filed),
        "conversations_with_repairs": sum(r.get("repairs", 0) > 0 for r in results),
        "repairs": sum(r.get("repairs", 0) for r in results),
        "errors": sum(r["end"] == "error" for r in results),
        "wrong_fields": dict(wrong.most_common()),
        "talk_fields": dict(talk.most_common()),
    }


def by_tag(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per tag: how many conversations carry it and how many of them passed."""
    tags: dict[str, list[bool]] = {}
    for r in results:
        for tag in r["tags"]:
            tags.setdefault(tag, []).append(bool(r["ok"]))
    return {t: _share(sum(v), len(v)) for t, v in sorted(tags.items())}


def badness(result: dict[str, Any]) -> tuple:
    """Sort key, worst first: wrong outcome, then the number of wrong and talk fields, then turns."""
    return (
        not result["ok"],
        result["filed"] != result["filed_expected"],
        len(result["wrong"]) + len(result["talk"]),
        sum(not c["ok"] for c in result.get("checks") or []),
        result.get("repairs", 0),
        result["user_turns"],
    )


def _pct(share: dict[str, Any]) -> str:
    if not share["of"]:
        return "   -"
    return f"{share['n']:>3}/{share['of']:<3} {100 * share['share']:5.1f}%"


def _short(value: Any, limit: int = 90) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(result: dict[str, Any]) -> str:
    """One conversation's problems on one line per problem."""
    outcome = f"filed {result.get('ref')}" if result["filed"] else "not filed"
    head = f"  {result['id']} ({outcome}, {result['user_turns']} turns, ended: {result['end']})"
    lines = [head]
    for field, diff in result["wrong"].items():
        lines.append(f"      {field}: expected {_short(diff['expected'])}; got {_short(diff['got'])}")
    for field, found in result["talk"].items():
        lines.append(f"      {field} holds talk ({found['rule']}): {_short(found['value'])}")
    if result["filed"] != result["filed_expected"]:
        lines.append(f"      expected {'a request' if result['filed_expected'] else 'no request'}")
    if result.get("reply_ok") is False:
        lines.append("      the expected reply class was not seen")
    for check in result.get("checks") or []:
        if not check["ok"]:
            lines.append(
                f"      unanswered: {_short(check['text'], 40)} -> {_short(' / '.join(check['reply']), 60)}"
            )
    if result.get("repairs"):
        lines.append(f"      the user had to repair {result['repairs']}x (rephrase, retap, confirm again)")
    if result.get("error"):
        lines.append(f"      error: {_short(result['error'])}")
    return "\n".join(lines)


def render(
    split: str, figures: dict[str, Any], results: list[dict[str, Any]], show_items: bool, worst: int
) -> str:
    """The printed report of one split; items (worst list, per-field counts) only when `show_items`."""
    lines = [
        f"dialogues {split}: {figures['conversations']} conversations "
        f"({figures['filed']['of']} to file, {figures['not_filed_when_expected']['of']} to refuse)",
        f"  filed with every field right      {_pct(figures['filed_all_right'])}",
        f"   ... and no repair by the user    {_pct(figures['filed_all_right_no_repair'])}   "
        f"(target >= {TARGET_ALL_RIGHT:.0%})",
        f"  filed at all                      {_pct(figures['filed'])}",
        f"  filed with a field holding talk   {_pct(figures['filed_with_talk'])}   (target 0)",
        f"  user turns per filed request      median {figures['median_turns_filed']}, "
        f"mean {figures['mean_turns_filed']}   (target median <= {TARGET_MEDIAN_TURNS})",
        f"  user turns, every conversation    mean {figures['mean_turns_all']}",
        f"  not filed when none expected      {_pct(figures['not_filed_when_expected'])}; "
        f"with the expected reply {_pct(figures['not_filed_with_expected_reply'])}",
        f"  mid-form questions answered       {_pct(figures['message_checks_passed'])}",
        f"  confirmation asked again          {figures['confirmation_retried']} filed conversations",
        f"  user repairs (rephrase, retap)    {figures['repairs']} in {figures['conversations_with_repairs']} "
        "conversations",
    ]
    if figures["errors"]:
        lines.append(
            f"  conversations that broke off      {figures['errors']} (bot unreachable or an HTTP error)"
        )
    if show_items:
        if figures["wrong_fields"]:
            lines.append(
                "  wrong fields: " + ", ".join(f"{k} {v}" for k, v in figures["wrong_fields"].items())
            )
        if figures["talk_fields"]:
            lines.append("  talk fields: " + ", ".join(f"{k} {v}" for k, v in figures["talk_fields"].items()))
        bad = [r for r in sorted(results, key=badness, reverse=True) if not r["ok_without_repair"]]
        if bad:
            lines.append(f"worst {min(worst, len(bad))} of {len(bad)} with a problem:")
            lines.extend(describe(r) for r in bad[:worst])
    return "\n".join(lines)
