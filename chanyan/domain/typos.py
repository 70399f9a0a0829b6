"""Typos and homophones people type for the words the assistant listens for (确任 → 确认, 作右 → 左右).

Only mends that cannot break a correct word: 高效 (efficient) and 准确人脸 stay as typed, and a mend that is also
part of a word (面意 in 字面意思) is guarded by the neighbours of that word.

Each mend keeps the length, so a position in the mended text is the same position in what the user typed; the
interview's reading form and extraction's normalized text both apply it.
"""

from __future__ import annotations

import re

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
    ("委拖", "委托"),
    ("万一内", "万以内"),
    ("不线", "不限"),
    ("知识产全", "知识产权"),
    ("技术指表", "技术指标"),
    ("面意", "面议"),
    ("面谊", "面议"),
    ("技术资讯", "技术咨询"),
    ("双方公有", "双方共有"),
    ("协伤", "协商"),
    ("条过", "跳过"),
    ("题交", "提交"),
    ("合做开发", "合作开发"),
)
assert all(len(wrong) == len(right) for wrong, right in TYPOS)

# Dialect words read as Mandarin, word for word of the same length ("冇邮箱" → "没邮箱", "头先讲咗" → "刚才讲了",
# "莫得" → "没有"): written Cantonese, and the south-western and northern words that mean nothing else in Mandarin.
DIALECT: tuple[tuple[str, str], ...] = (
    ("莫得", "没有"),
    ("冒得", "没有"),
    ("啥子", "什么"),
    ("晓得", "知道"),
    ("嘎哈", "干啥"),
    ("阿拉", "我们"),
    ("唔该", "谢谢"),
    ("头先", "刚才"),
    ("点样", "怎样"),
    ("搞掂", "搞定"),
    ("边个", "哪个"),
    ("而家", "现在"),
    ("冇所谓", "无所谓"),
    ("冇问题", "没问题"),
    ("就得", "就行"),  # "广东嘅大学就得": enough, at the end of a clause (guarded: "就得花钱" is a must)
    ("得", "行"),  # "得，冇问题": a reply opening with 得 agrees (guarded)
    ("嗰", "那"),
    ("啲", "些"),
    ("冇", "没"),
    ("嘅", "的"),
    ("咗", "了"),
    ("哋", "们"),
    ("咩", "啥"),
    ("乜", "啥"),
    ("佢", "他"),
    ("睇", "看"),
    ("搵", "找"),
    ("揾", "找"),  # 搵 as OpenCC simplifies it
    ("嚟", "来"),
    ("喺", "在"),
    (
        "系",
        "是",
    ),  # 係 as OpenCC simplifies it, after a subject (read after 哋 above) or 就/都 (guarded: 系统, 体系)
)
assert all(len(word) == len(mandarin) for word, mandarin in DIALECT)

# Where a mend or a dialect word is also part of a correct Mandarin word, the neighbours that mean it is that word:
# 万一内部短路, 字面意思, 每条过滤袋, 这个问题交给你们, 寄点样品, 黑烟冒得厉害, 阿拉善, 这边个人用户.
_GUARDED: dict[str, re.Pattern] = {
    "万一内": re.compile(r"万一内(?![部容存网])"),
    "面意": re.compile(r"(?<![字表])面意(?![思义见外])"),
    "条过": re.compile(r"条过(?![滤程道去来])"),
    "题交": re.compile(r"(?<![问课标主话难考议例命专])题交(?!流|叉|替|织)"),
    "点样": re.compile(r"点样(?![品本件板机])"),
    "冒得": re.compile(r"冒得(?![很太多快厉越更特非好老大猛凶])"),
    "阿拉": re.compile(r"阿拉(?![伯善斯丁])"),
    "边个": re.compile(r"(?<![这那旁左右东西南北两一周身里外上下前后])边个"),
    "头先": re.compile(r"(?<![龙镜码车箭枕床])头先"),
    "就得": re.compile(r"就得(?=$|[,，。.!！?？;；\s啦喇嘞咯])"),
    "系": re.compile(
        r"(?<=我们|你们|他们|佢们)系(?![统列数谱])|(?<=[就都即真])系(?=[\u4e00-\u9fff])(?![统列数谱])|^系(?=[,，\s]|呢|咪|啊|啦)"
    ),
    "得": re.compile(r"^得(?=$|[,，。.!！\s啦喇嘞])"),
}
# 唔 before a word is 不 ("唔同", "唔够"); alone it is a Mandarin "hm".
_CANTONESE_NOT = re.compile(r"唔(?=[\u4e00-\u9fff])")


def mend_typos(text: str) -> str:
    """`text` with every known typo mended and Cantonese words read as Mandarin (same length)."""
    for wrong, right in (*TYPOS, *DIALECT):
        if wrong in text:
            guard = _GUARDED.get(wrong)
            text = guard.sub(right, text) if guard else text.replace(wrong, right)
    return _CANTONESE_NOT.sub("不", text) if "唔" in text else text
