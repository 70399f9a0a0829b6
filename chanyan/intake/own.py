"""Messages about the enterprise's own filed requests: how they are doing, an addition, a withdrawal.

Framework-free like the rest of the interview: `read_own_request` says what such a message asks (and answers a
question the bot asked about one: the phone's last four digits, "确认撤回"); the adapter carries it out through
chanyan.requests.enterprise and keeps the pending state in a slot. Inside the interview only clear wording counts
(a number, "进展", "撤回之前提交的"), so that an answer to the pending question is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chanyan.domain.validation import REF_IN_TEXT, find_ref, fold_width, has_meaningful_text, phone_tail
from chanyan.intake import acts
from chanyan.intake.talk import strip_talk

PENDING_SLOT = "own_request_pending"

STATUS = "status"  # list the identity's requests, or tell one number's status
VERIFY = "verify"  # the phone's last four digits for a number asked about
WITHDRAW = "withdraw"  # withdraw a filed request (asks to confirm)
CONFIRM_WITHDRAW = "confirm_withdraw"
KEEP = "keep"  # not withdrawn after all
SUPPLEMENT = "supplement"  # add information to a filed request
DROP = "drop"  # the user does not want to go on with the pending question

STATUS_INTENT = "ask_status"
INTENT_CONFIDENCE = 0.8

_STATUS = re.compile(
    r"(?:我的|我们的|我们那个|咱们的|之前的?|上次的?|那个|刚才的?|提交的|提的|报的|登记的)(?:需求|需求单|申请|单子|工单|项目)?.{0,6}"
    r"(?:进展|进度|状态|到哪|什么情况|啥情况|怎么样了|咋样了|如何了|有(?:没有)?(?:消息|回音|结果|动静|下文|进展)|处理(?:到|得|了没)|有人(?:跟进|管|看|对接))|"
    r"(?:需求|需求单|申请|单子|工单)的?(?:进展|进度|状态|处理情况)|"
    r"(?:进展|进度|状态)(?:到哪|怎么样|如何|咋样|查询|查一下)|查(?:一下|一查|查|询|下)?(?:一下)?(?:我的|我们的|我们|之前的|提交的|上次的)?"
    r"(?:需求|进度|进展|状态|工单|单子)|到哪一步了|有人(?:跟进|联系|对接)(?:了)?(?:吗|没|没有)|查询进度|进展如何|进展怎样|什么进展|有(?:什么|啥)进展"
)
# What may follow a status question in its clause ("…到哪一步了呀").
_STATUS_TAIL = re.compile(r"(?:一步|地步|程度|情况|现在|目前|了|呢|啊|呀|吗|啦|哈|没有?|[？?。.!！~\s])*")
_CLAUSES = re.compile(r"[，,。；;！!]")
# A status question is short, or asked as a question; a long description that mentions 进度 is a need.
STATUS_MAX_CHARS = 30
_STATUS_WORDS = re.compile(r"进展|进度|状态|到哪|怎么样|咋样|如何|查|消息|结果|跟进|处理")
# Without the lexicon's wording, the classifier's ask_status counts only with one of these words.
_PROGRESS_WORDS = re.compile(
    r"进展|进度|状态|到哪|怎么样|咋样|如何了|消息|结果|跟进|处理|回音|动静|情况|审核|匹配"
)
_WITHDRAW = re.compile(
    r"撤回|撤掉|撤了吧|撤销(?:需求|申请|这个|那个|掉|了吧)|"
    r"(?:需求|项目|单子|申请|这个|那个)(?:我们|咱们)?(?:就|先)?(?:不做了|不搞了|不要了|不找了|不需要了|不用了|取消掉?|作废|关掉|关了)|"
    r"(?:关闭|作废|删掉|取消)(?:这个|那个|我的|我们的|之前的|提交的)(?:需求|申请|单子)"
)
# Inside the interview a withdrawal must name a filed request (the draft's own stop is "取消").
_FILED = re.compile(r"已经?提交|之前(?:提|交|报|登记)|上次|刚才提交|提交过|XQ", re.I)
_SUPPLEMENT = re.compile(
    r"(?:那个|对了|另外|还有)?[,，\s]*(?:我|我们)?(?:再|想|要|需要|得)*(?:补充|追加|加)(?:一下|一点|几句|两句|一条|说明|下|个情况|些信息)?"
    r"(?:信息|内容|说明|情况)?[:：,，。\s]*"
)
_SUPPLEMENT_WORD = re.compile(r"补充|追加")
# A number said before the cue ("给XQ-…补充：").
_REF_LEAD = re.compile(
    r"^(?:给|在|对|帮)?(?i:XQ)[\s\-_－—]*\d{8}[\s\-_－—]*\d{4}(?:这个|那个)?(?:需求)?(?:再|想|要)?"
)
_KEEP = re.compile(r"不撤|先不撤|别撤|保留|还是要做|继续做|再想想|算了不撤|不用撤")
_CONFIRM = re.compile(
    r"^(?:确认|确定|是的?|对|好的?|嗯)?[,，\s]*(?:撤回|撤了|撤吧|撤回吧|确认撤回)(?:吧|了)?[。.!！\s]*$"
)


@dataclass(frozen=True)
class OwnRequestAct:
    """What a message about the enterprise's own requests asks."""

    kind: str
    ref: str | None = None
    tail: str | None = None
    text: str | None = None  # the addition, or the reason for a withdrawal


def read_own_request(
    raw: str,
    read: str,
    pending: dict[str, Any] | None,
    *,
    intent: str | None = None,
    confidence: float = 0.0,
    in_form: bool = False,
    has_filed: bool = False,
) -> OwnRequestAct | None:
    """The act of a message about the user's own requests, or None (then a pending question is dropped).

    Args:
        raw: the message as typed (normalized); read: its reading form (simplified script, typos mended).
        pending: the bot's pending question about a request (chanyan.requests.enterprise's state), if any.
        intent, confidence: the NLU's reading (a menu payload such as "/ask_status" comes as its intent).
        in_form: the interview is running (only clear wording counts there).
        has_filed: this conversation filed a request already (an addition needs one).
    """
    if pending:
        answer = _answer_to_pending(raw, read, pending)
        if answer is not None:
            return answer
    ref = find_ref(read)
    payload = raw.startswith("/")
    sure = confidence >= INTENT_CONFIDENCE
    if payload:
        if intent == STATUS_INTENT:
            return OwnRequestAct(STATUS)
        return None
    if _WITHDRAW.search(read) and (not in_form or ref or _FILED.search(read)):
        return OwnRequestAct(WITHDRAW, ref=ref, text=strip_talk(raw)[:200])
    rest = REF_IN_TEXT.sub("", fold_width(read))
    if ref and (_STATUS_WORDS.search(rest) or _only_ref(read)):
        return OwnRequestAct(STATUS, ref=ref, tail=phone_tail(rest))
    if _asks_status(read) or (
        intent == STATUS_INTENT
        and sure
        and not in_form
        and len(read) <= STATUS_MAX_CHARS
        and _PROGRESS_WORDS.search(read)
    ):
        return OwnRequestAct(STATUS, ref=ref)
    cue = _SUPPLEMENT.match(_REF_LEAD.sub("", read, count=1))
    if not in_form and (has_filed or ref) and cue and _SUPPLEMENT_WORD.search(cue.group()):
        return OwnRequestAct(SUPPLEMENT, ref=ref, text=_addition(raw, read, ref))
    return None


def _asks_status(read: str) -> bool:
    """A clause of the message asks how a request is doing and ends there ("我们的项目进度要求很紧" does not)."""
    if len(read) > STATUS_MAX_CHARS and not acts.is_question(read):
        return False
    for clause in _CLAUSES.split(read):
        match = _STATUS.search(clause)
        if match and _STATUS_TAIL.fullmatch(clause[match.end() :]):
            return True
    return False


def _answer_to_pending(raw: str, read: str, pending: dict[str, Any]) -> OwnRequestAct | None:
    kind = pending.get("kind")
    if kind == "verify":
        tail = phone_tail(read)
        if tail is not None and not find_ref(read):
            return OwnRequestAct(VERIFY, ref=pending.get("ref"), tail=tail)
        if acts.is_no(read) or acts.classify(read).kind == acts.CANCEL:
            return OwnRequestAct(DROP)
        return None
    if kind == "withdraw":
        if _KEEP.search(read) or acts.is_no(read) or read in ("算了", "不了", "不用了"):
            return OwnRequestAct(KEEP, ref=pending.get("ref"))
        if acts.is_yes(read) or _CONFIRM.match(read):
            return OwnRequestAct(CONFIRM_WITHDRAW, ref=pending.get("ref"))
        return None
    if kind == "supplement":
        if acts.is_no(read) or acts.classify(read).kind == acts.CANCEL:
            return OwnRequestAct(DROP)
        if has_meaningful_text(read) and not _asks_status(read) and not _WITHDRAW.search(read):
            return OwnRequestAct(SUPPLEMENT, ref=pending.get("ref"), text=_addition(raw, read, None))
        return None
    return None


def _only_ref(read: str) -> bool:
    rest = REF_IN_TEXT.sub("", fold_width(read))
    return bool(find_ref(read)) and not has_meaningful_text(strip_talk(rest))


def _addition(raw: str, read: str, ref: str | None) -> str | None:
    """The information added, without the cue ("补充一下：") and the number it names."""
    text = raw
    if len(raw) == len(read):
        lead = _REF_LEAD.match(read)
        start = lead.end() if lead else 0
        cue = _SUPPLEMENT.match(read, start)
        if cue:
            text = raw[cue.end() :]
    else:
        text = _REF_LEAD.sub("", raw, count=1)
        cue = _SUPPLEMENT.match(text)
        text = text[cue.end() :] if cue else text
    text = text.strip(" ，,。:：;；")
    return text if has_meaningful_text(text) and len(text) >= 2 else None
