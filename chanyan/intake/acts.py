"""Dialogue acts: what kind of turn a message is, before any of it goes into a slot.

A message is an answer (possibly carrying values for other fields too), or a turn about the conversation itself:
confirm, deny, pause, cancel, restart, a question to the platform, a request for a person, a request the platform
does not handle, a greeting or thanks. The exact lexicon below decides where it is sure; the NLU's intent (DIET,
trained on the project's Chinese examples) decides the rest when it is confident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANSWER = "answer"
CONFIRM = "confirm"
DENY = "deny"
PAUSE = "pause"
CANCEL = "cancel"
RESTART = "restart"
QUESTION = "question"
HANDOFF = "handoff"
NON_TECHNICAL = "non_technical"
AMEND_FILED = "amend_filed"
SOCIAL = "social"  # greeting, thanks, chit-chat, "are you a bot": answered, then the pending question again

# FAQ keys: each has a response utter_faq_<key> in the Rasa domain.
FAQ_KEYS = (
    "platform",
    "cost",
    "commission",
    "response_time",
    "privacy",
    "nda",
    "data_storage",
    "process",
    "email_only",
    "landline",
    "why_phone",
    "payment",
    "meeting",
    "other",
)
NON_TECHNICAL_KINDS = ("loan", "hiring", "selling")
SOCIAL_KINDS = ("greet", "thanks", "chitchat", "bot_challenge")

INTENT_CONFIDENCE = 0.7

_END = r"[。.!！~～…\s]*$"
_PARTICLES = "吧啊呀哈了的呢嘛哦噢嘞啦哟哒"

# Words that mean yes (after simplification and typo mending); a message made only of them confirms.
YES_WORDS = frozenset(
    [
        "确认",
        "确人",  # a typo for 确认 taken only as a whole word (准确人脸 must stay as typed)
        "确定",
        "确认无误",
        "确认提交",
        "提交",
        "提交吧",
        "可以提交",
        "直接提交",
        "交吧",
        "发吧",
        "发出去",
        "没问题",
        "没啥问题",
        "没什么问题",
        "没毛病",
        "都对",
        "都没问题",
        "都可以",
        "全对",
        "对",
        "对的",
        "对头",
        "是",
        "是的",
        "是滴",
        "好",
        "好的",
        "好滴",
        "好嘞",
        "行",
        "行的",
        "可以",
        "可",
        "ok",
        "okay",
        "yes",
        "yep",
        "中",
        "妥",
        "妥了",
        "没错",
        "无误",
        "正确",
        "就这样",
        "就这些",
        "就这么着",
        "就它",
        "就这个",
        "嗯",
        "嗯嗯",
        "嗯呢",
        "嗯呐",
        "嗯哪",
        "嗯那",
        "嗯啊",
        "对对",
        "对对对",
        "是是",
        "中中",
        "可中",
        "冇问题",
        "无问题",
        "木问题",
        "没得问题",
        "莫问题",
        "阔以",
        "可以的",
        "好好",
        "同意",
        "成",
        "得嘞",
        "要得",
        "靠谱",
        "完美",
        "👌",
        "👍",
        "对没错",
        "是这样",
        "这样就行",
        "就这样吧",
        "没了",
        "没有问题",
        "信息无误",
        "内容无误",
        "确认一下",
        "确认了",
        "好了",
        "可以了",
        "行了",
        "ojbk",
        "没意见",
        "good",
        "lgtm",
        "submit",
        "confirm",
        "fine",
        "sure",
        "yeah",
        "correct",
        "那提交",
        "那就提交",
        "先提交",
        "那先提交",
        "那确认",
        "那就这样",
        "提交了",
        "交了",
        "发了",
        "就这么报",
        "这么报",
        "报吧",
        "报了",
        "就这么交",
        "就这么提交",
        "就这么定",
        "这么定",
        "就这么办",
        "报上去",
        "提交上去",
        "发上去",
        "交上去",
        "就这么着吧",
        "没啥了",
        "都没错",
        "好哒",
        "对哒",
        "确实",
        "提交就行",
        "就按这个",
        "按这个",
        "按这个来",
        "就按这个来",
        "不用改",
        "不用改了",
        "不需要改",
        "没什么要改",
        "没有要改",
        "没要改",
        "没啥要改",
        "对滴",
        "都没毛病",
        "核对无误",
        "核实无误",
        "就这么整",
        "这么整",
        "就这么弄",
        "就这么搞",
        "看过了",
        "看过",
        "核对过了",
        "核对过",
        "就是这样",
        "是这样的",
        "信息都对",
        "内容都对",
        "都正确",
        "就这么地",
        "就这么地吧",
        "得行",
        "妥妥的",
        "啱",
        "啱晒",
    ]
)
NO_WORDS = frozenset(
    [
        "不对",
        "不是",
        "错了",
        "有误",
        "有问题",
        "不正确",
        "不行",
        "no",
        "不要",
        "不",
        "否",
        "不可以",
        "不太对",
        "不准确",
        "有错",
        "要改",
        "需要修改",
        "修改",
        "改一下",
        "我要改",
    ]
)

_PAUSE = re.compile(
    r"(?:先这样(?:吧|子)?|先到这|回头再(?:说|填|弄|聊)|改天再|晚点再|晚些再|稍后再|等会儿?再|待会儿?再|一会儿?再|等下再|过会儿?再|"
    r"回头(?:接着|继续)|来客户了|来人了|先去忙|(?:我)?先?去开(?:个)?会|先存(?:一下|着)?|下班了|"
    r"(?:晚上|下午|明天|明早|回头|过两天|改天|下周|周一|晚点)(?:再|接着|继续)(?:说|填|弄|聊|继续)?|"
    r"(?:问问|问一下|请示(?:一下)?|商量(?:一下)?)(?:老板|领导|同事|技术|财务)(?:再说|再填|再定)?|先不(?:提交|交|报)|"
    r"以后再(?:说|填)|我去开个?会|先忙|先不填了|先不弄了|"
    r"下次再(?:填|说|弄)|明天再(?:填|说|弄)|有事先走|先保存|保存一下|先存着|先停一下|暂停|"
    r"等我(?:一下|一会儿?|下)|我(?:先)?去(?:处理|忙|看)(?:一下)?$|(?:我)?去接个电话|信号不好(?=$|[,，。\s]*(?:回头|待会|等会|一会|晚点|先))|先挂了|我先下了$|晚点聊)"
)
_CANCEL = re.compile(
    r"^(?:那?就?算了(?:吧|不弄了|不填了|不要了|不用了|不提交了|不交了|不报了|不提了)?(?:[,，]?谢谢(?:了|你)?)?|取消(?:吧|掉|了|申请|需求|这个需求|提交)?|不要了|不弄了|不填了|不需要了|不用了|撤销|作废|不提了|不提交了|不报了|放弃)(?:[,，]?谢谢(?:了|你|您)?)?"
    + _END
)
_CANCEL_WORD = re.compile(
    r"取消|(?<!先)不弄了|(?<!先)不搞了|(?<!先)不整了|(?<!先)不报了|(?<!先)不填了吧?$|不要了(?:[,，\s]*(?:删掉|删了|删除|作废)吧?)?$"
)  # "先不填了" pauses
_RESTART = re.compile(r"(?:重新开始|从头开始|从头再?来|重来一遍?|重新来|重新填|再来一遍|清空重填)")
# Where a restart or cancel says what comes instead ("…还是提吧，重新开始：<the need>"): the text after its words.
_STOP_WORDS = re.compile(_RESTART.pattern + r"|取消(?:吧|掉|了)?|算了(?:吧)?")


def after_stop_words(text: str) -> str:
    """The part of `text` after its last restart or cancel words, without the marks that lead into it."""
    matches = list(_STOP_WORDS.finditer(text))
    if not matches:
        return ""
    return text[matches[-1].end() :].lstrip(" ,，。:：;；!！~、")


GREETING = re.compile(
    r"^(?:你好|您好|你们好|hi|hello|hey|哈喽|嗨|在吗|在不在|有人吗|早上好|下午好|晚上好)(?:呀|啊|哈)?[,，。.!！~\s]*(?:你好|您好|在吗|请问)?[,，。.!！~?？\s]*$",
    re.I,
)
_HANDOFF = re.compile(
    r"(?:有没有(?:客服|人工|专员)|客服在(?:吗|不在)|叫(?:个)?(?:客服|专员)|转人工|人工客服|人工服务|找人工|有人工|人工吗|(?:跟|和|找|联系)(?:你们)?(?:的)?专员(?:聊|说|谈|沟通)?|真人|人工坐席|找(?:你们)?(?:的)?(?:客服|专员|工作人员)|专员怎么联系|怎么联系(?:我|你们)|"
    r"让(?:专员|人|客服)(?:联系|打电话|给我打)|打电话给我|给我回个?电话)"
)
_HANDOFF_STRONG = re.compile(r"转人工|人工客服|人工服务|找人工|有人工|人工吗|真人|人工坐席")
_AMEND_FILED = re.compile(
    r"(?:刚才|刚刚|之前|已经|上午|昨天)?(?:提交|提)(?:了?的|过的)(?:那个|那份|那条)?(?:需求)?.{0,12}(?:改|修改|更改|变更|调整)|"
    r"(?:刚才|刚刚|之前|上一个|上个|前面|昨天|上午)(?:我)?(?:提交|提|报|发|填)?(?:了|过)?的?(?:那个|那份|那条|那一?个)?需求.{0,16}(?:改|修改|更改|变更|调整|写错|填错|不对|错了)|"
    r"(?:已经|刚才|刚)提交了.{0,10}(?:改|修改)|(?:提交|交)上去的.{0,10}改"
)
_FAQ: tuple[tuple[str, re.Pattern], ...] = (
    ("nda", re.compile(r"保密协议|NDA|nda|签(?:个|订)?保密|保密条款")),
    (
        "data_storage",
        re.compile(
            r"数据(?:存|放|保存|储存)(?:在)?(?:哪|什么地方|哪里)|存(?:在|到)哪(?:里|儿)?|服务器在哪|数据.{0,4}(?:境外|国外)"
        ),
    ),
    ("commission", re.compile(r"抽成|佣金|提成|中介费|服务费|分成|抽(?:几|多少)个?点")),
    (
        "email_only",
        re.compile(
            r"只(?:留|给|填|写)邮箱|(?:不|没)(?:留|给|填)手机.{0,6}邮箱|邮箱(?:可以|行)(?:吗|不)|能不能.{0,4}邮箱"
        ),
    ),
    ("landline", re.compile(r"座机(?:可以|行|能)|(?:留|给|填)座机|没有手机|手机.{0,4}不方便(?:留|给)?")),
    ("why_phone", re.compile(r"为什么要(?:留)?(?:手机|电话)|(?:手机|电话)(?:会不会|不会)被|推销|骚扰")),
    (
        "privacy",
        re.compile(
            r"(?:会|能)(?:不会)?(?:保密|泄露|外泄)|信息安全|隐私|技术细节.{0,10}(?:保密|泄露)|(?:靠谱|安全)(?:吗|吧)|被卖"
        ),
    ),
    (
        "payment",
        re.compile(r"付款|支付方式|怎么付|打款|结算方式|怎么结算|先付|后付|付(?:定金|订金|首付|尾款)|分期付"),
    ),
    (
        "meeting",
        re.compile(
            r"线下(?:见面|聊|谈|沟通|对接|交流)|见(?:个)?面|面谈|面聊|当面(?:谈|聊|沟通)|上门|实地(?:看|考察)|来(?:我们)?(?:厂|公司)(?:里)?看"
        ),
    ),
    ("cost", re.compile(r"收费|要钱|免费|多少钱(?:吗|呢)?$|费用(?:怎么|多少)|花钱")),
    (
        "response_time",
        re.compile(
            r"多久(?:能|会|可以)?(?:有|给|回|联系)|什么时候(?:能|会)?(?:联系|回复|有人)|几天(?:能|会)?(?:有|回)"
        ),
    ),
    ("process", re.compile(r"(?:流程|步骤)(?:是|怎么)|接下来(?:怎么|会)|提交(?:之?后|以后)(?:怎么|会)")),
    (
        "platform",
        re.compile(r"(?:平台|你们)是(?:干|做)(?:嘛|什么|啥)的|产研通是|你们能(?:干|做)(?:嘛|什么|啥)"),
    ),
)
_NON_TECHNICAL: tuple[tuple[str, re.Pattern], ...] = (
    ("loan", re.compile(r"贷款|贷个|借款|借钱|融资|资金周转|放贷|授信|抵押")),
    ("hiring", re.compile(r"招(?:聘|人|工|两个|几个|个)|猎头|全职|月薪|推荐(?:个)?人(?:才)?|找工作|求职")),
    (
        "selling",
        re.compile(r"卖(?:产品|货|设备|给)|推销|找买家|入驻|代理商|经销|把产品推|推广(?:我们的)?产品|采购商"),
    ),
)
# A clause saying there is no technical need at all ("我不是要搞技术").
_NOT_TECHNICAL = re.compile(r"不是要?(?:搞|做|找)技术|没有技术需求|不需要技术|不是技术")
# Social turns, by their words (an answer the classifier finds chatty is still an answer).
_SOCIAL: tuple[tuple[str, re.Pattern], ...] = (
    (
        "thanks",
        re.compile(r"^(?:好的?|嗯)?[,，\s]*(?:谢谢|多谢|感谢|谢了|辛苦了)(?:你|您|啦|了)?[。.!！~\s]*$"),
    ),
    (
        "bot_challenge",
        re.compile(
            r"(?:你|您)是(?:不是)?(?:机器人|真人|人工智能|AI|ai)|是机器人吗|是真人吗|^(?:你|您)叫(?:什么|啥)(?:名字)?"
        ),
    ),
)
# Remarks beside the form: a laugh, praise of the bot, the weather, "go on asking" (answered, then the question
# again; the interview checks first that the message does not answer the question asked). A remark is a whole
# clause: "风大的时候偏航误差小于2度" or "天气好的时候光伏出力波动大" are needs about the weather, not remarks on it.
_REMARK_CLAUSE = re.compile(
    r"^(?:哈哈+|嘿嘿+|呵呵+|嘻嘻+)(?:的|了|啊|呀|哦|哈|啦|呢|嘛)*$|"
    r"^(?:哈哈+|嘿嘿+|呵呵+|嘻嘻+)?(?:"
    r"(?:你|你们|机器人|小助手|这个助手)[\u4e00-\u9fff]{0,8}(?:挺|真|蛮|太|好)(?:快|聪明|厉害|智能|方便|好用|客气|专业|牛)"
    r"|(?:今天|这天|这两天|最近|外面|我们这边?|这边)?的?(?:天气|天|风|雨|雪)(?:真|好|太|可|挺|有点)(?:大|冷|热|好|差|闷)"
    r"|(?:今天|这天|这两天)(?:真|好|太|挺|有点)(?:冷|热|闷)"
    r"|(?:你|您)?吃(?:饭|了)了?吗"
    r"|(?:你|您)?(?:接着|继续)问(?:吧|呗)?|(?:你|您)问吧"
    r")(?:的|了|啊|呀|哦|哈|啦|呢|嘛)*$"
)
_CLAUSE_BREAK = re.compile(r"[,，。;；!！~\s]+")


def is_remark(text: str) -> bool:
    """Whether a clause of `text` is a remark beside the form ("今天风真大 厂里刚停了会儿电 你接着问吧")."""
    return any(_REMARK_CLAUSE.match(c) for c in _CLAUSE_BREAK.split(text) if c)


def without_chitchat(text: str) -> str:
    """`text` without its clauses that are remarks beside the form ("今天风真大，委托开发吧" → "委托开发吧")."""
    return "，".join(c for c in _CLAUSE_BREAK.split(text) if c and not _REMARK_CLAUSE.match(c))


_GOODBYE = re.compile(r"^(?:好的?|那)?[,，\s]*(?:再见|拜拜|bye|下次再聊|回头聊)[。.!！~\s]*$", re.I)
# Asking what a question means ("知识产权是啥意思？") is a question about the form, not an answer.
CLARIFY = re.compile(
    r"(?:是)?(?:啥|什么)意思|不懂|不明白|没听懂|什么是|是指什么|指的是啥|怎么填|填什么|填啥|啥叫|什么叫|"
    r"为(?:啥|什么)要(?:问|填|写|留)|问这个(?:干嘛|做什么|有啥用)|有(?:啥|什么)(?:区别|不同|差别|分别)|区别是|哪(?:个|种)(?:好|更好|合适)|"
    r"不(?:太|大)(?:懂|明白)|啥是|不知道(?:选|填|写)(?:哪|什么|啥)|举个?例子?|给个例子|有没有例子|比如(?:说)?(?:呢|啥|什么)|有(?:什么|啥)建议|你们?建议(?:哪|用|选)|^[^,，。]{0,8}是(?:啥|什么)(?:东西|玩意儿?)?[?？呀啊]*$|^(?:啥|什么)[?？]+$|有哪(?:几|些)(?:种|类|个|样)|都有(?:哪些|啥|什么)(?:方式|选项|可选)?[?？]|有(?:啥|什么|哪些)(?:可选|选项)|怎么选"
)
_QUESTION_MARK = re.compile(r"[?？]|吗[。.!！]*$|呢[。.!！]*$")
# A question to the platform that no FAQ covers ("你们有案例吗？"): said mid-form it is noted, never stored.
_OPEN_QUESTION = re.compile(
    r"(?:能不能|可不可以|可以吗|能吗|行吗|会不会|是不是|有没有|怎么|为什么|为啥|什么|啥|哪|多久|多少|几)[^,，。]*(?:[?？]|吗|呢)[。.!！\s]*$|吗[?？]?[。.!！\s]*$|"
    r"^(?:请问|能不能|可不可以|是不是|为啥|为什么|一般(?:多久|多少|怎么|要))|^[^,，。]{0,8}(?:跟谁|是谁|找谁)|多久(?:能|会|可以)"
)


def is_open_question(text: str) -> bool:
    """A question to the bot or the platform (not an answer that ends in a question mark by habit)."""
    return bool(_OPEN_QUESTION.search(text))


@dataclass(frozen=True)
class Act:
    """What a message does: its kind, and the FAQ or non-technical kind it names."""

    kind: str
    detail: str | None = None


def _tokens(text: str) -> list[str]:
    lowered = re.sub(
        r"looks good|sounds good|go ahead(?: and submit(?: it)?)?|(?:please )?submit(?: it| this)?(?: please)?|all good|send it",
        "ok",
        text.lower(),
    )
    return [t.strip(_PARTICLES) for t in re.split(r"[\s,，、。.!！~～;；]+", lowered) if t.strip(_PARTICLES)]


# Tokens that neither confirm nor deny ("提交吧，谢谢"): allowed beside a yes.
_NEUTRAL = frozenset(["谢谢", "谢了", "多谢", "感谢", "麻烦了", "辛苦了", "辛苦", "那", "那就", "嗯那"])


# "就照这样提交", "按这个报上去", "确认送出", "可以发了": a submit verb, maybe after 就/照/按这样 or a yes-word.
_SUBMIT_PHRASE = re.compile(
    r"^(?:那|那就|就|那么)?(?:确认|确定|可以|直接|麻烦|帮我|请)?(?:就)?(?:照|按|按照|依)?(?:这样|这么|这个|此|上面的?|以上)?(?:就)?(?:子)?"
    r"(?:提交|提|报|上报|申报|交|发|送出|送|发出|递交|发布)(?:上去|出去|过去|掉|一下)?(?:了|吧|呗|好了|即可|就行|就好|就可以)?$"
)


def is_yes(text: str) -> bool:
    """ "行，就这样，提交吧", "都对，没毛病", "对 确认", "確認", "中": every part of the message says yes."""
    tokens = [t for t in _tokens(text) if t not in _NEUTRAL] or _tokens(text)
    return bool(tokens) and all(_says_yes(t) or _says_yes(_PARTICLE_SLIP.sub("", t)) for t in tokens)


# 吧 typed as a character of the same sound ("提交八", "好把"): only at the end of a yes-word.
_PARTICLE_SLIP = re.compile(r"(?<=[\u4e00-\u9fff])[八把巴爸]$")


# "信息都对", "内容没问题", "核对过了", "对着呢": what is checked named before the yes, or the check said done.
_CHECKED_SUBJECT = re.compile(r"^(?:信息|内容|资料|上面的?|以上|填的|写的|这些)(?:都|全)?(?=.)")
_CHECKED = re.compile(r"^(?:我)?(?:都|已经|全)?(?:核对|检查|看)(?:过|完|好)了?(?:的)?$|^对着(?:呢|嘞|哩)?$")


def _says_yes(token: str) -> bool:
    if token and _CHECKED.match(token):
        return True
    subject = _CHECKED_SUBJECT.match(token or "")
    if subject and token[subject.end() :] in YES_WORDS | {"都对", "对"}:
        return True
    return bool(token) and (token in YES_WORDS or _yes_compound(token) or bool(_SUBMIT_PHRASE.match(token)))


def _yes_compound(token: str) -> bool:
    # "确认提交吧", "好的确认", "ok确认": yes-words glued together.
    rest = token
    while rest:
        if rest != token and _SUBMIT_PHRASE.match(rest):
            return True
        for size in range(min(6, len(rest)), 0, -1):
            if rest[:size] in YES_WORDS or (rest[:size] in _NEUTRAL and rest != token):
                rest = rest[size:].lstrip(_PARTICLES)
                break
        else:
            return False
    return True


# "有个地方不对", "还要改", "等一下我改一下": the summary is not right, the field not yet named.
_NO_PHRASE = re.compile(
    r"^(?:等一?下|等等|稍等)?[,，\s]*(?:我)?(?:还)?(?:有(?:个|几个|一点|点|些)?(?:地方|内容|信息)?(?:不对|问题|错|要改)|"
    r"(?:要|想|得|需要)改(?:一下|几处|几个地方|点东西)?|改(?:一下|几处)|错(?:了)?)[吧啊呢了。.!！\s]*$"
)


def is_no(text: str) -> bool:
    tokens = _tokens(text)
    return bool(tokens) and all(t in NO_WORDS or t == "错" or _NO_PHRASE.match(t) for t in tokens)


def faq_key(text: str) -> str | None:
    """The FAQ a message asks, when it asks one."""
    for key, pattern in _FAQ:
        if pattern.search(text):
            return key
    return None


def non_technical_kind(text: str) -> str | None:
    """ "loan" / "hiring" / "selling" when the message asks for something the platform does not do."""
    for kind, pattern in _NON_TECHNICAL:
        if pattern.search(text):
            return kind
    return None


def is_question(text: str) -> bool:
    return bool(_QUESTION_MARK.search(text))


def classify(
    text: str, *, intent: str | None = None, confidence: float = 0.0, has_values: bool = False
) -> Act:
    """The act of a message (in reading form). `has_values`: the message carries field values."""
    if not text:
        return Act(ANSWER)
    if GREETING.match(text):
        return Act(SOCIAL, "greet")
    if _RESTART.search(text):
        return Act(RESTART)
    if _CANCEL.match(text) or (len(text) <= 24 and _CANCEL_WORD.search(text) and not has_values):
        return Act(CANCEL)
    if _AMEND_FILED.search(text):
        return Act(AMEND_FILED)
    if _HANDOFF.search(text) and len(text) <= 40 and (_HANDOFF_STRONG.search(text) or not has_values):
        return Act(HANDOFF)
    kind = non_technical_kind(text)
    if kind and (not has_values or _NOT_TECHNICAL.search(text) or is_question(text)):
        return Act(NON_TECHNICAL, kind)
    if _NOT_TECHNICAL.search(text):
        return Act(NON_TECHNICAL, kind or "other")
    faq = faq_key(text)
    if faq and (is_question(text) or not has_values):
        return Act(QUESTION, faq)
    if _PAUSE.search(text) and not has_values and len(text) <= 30:
        return Act(PAUSE)
    if not has_values:
        for kind, pattern in _SOCIAL:
            if pattern.search(text):
                return Act(SOCIAL, kind)
        if is_remark(text):
            return Act(SOCIAL, "chitchat")
    if not has_values and intent == "chitchat" and confidence >= INTENT_CONFIDENCE and is_question(text):
        return Act(SOCIAL, "chitchat")
    if (
        not has_values
        and intent
        and intent.startswith("faq_")
        and confidence >= INTENT_CONFIDENCE
        and is_question(text)
    ):
        key = intent.removeprefix("faq_")
        if key in FAQ_KEYS:
            return Act(QUESTION, key)
    if not has_values and _GOODBYE.search(text):
        return Act(PAUSE)
    return Act(ANSWER)
