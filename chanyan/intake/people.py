"""Who the user is: organisation names, person names, phones and e-mails found anywhere in a message.

A value goes into 单位名称 only when it is an organisation ("…有限公司", "…合作社", "…研究院", with the unit typed
after it: "…集团有限公司选矿分公司", "…研究院输变电分院"; or an English registered name), into 联系人 only when it is
a person ("王工", "梁国栋", "Kevin Zhang"), also one ending a phrase of roles ("采购部的龚经理", "技术负责人龚立新",
"大家都叫我老龚"); sentence material around them ("我们是一家…", "我姓王，", "啊，刚说了") is left out, and a name
the user repaired ("李文斌……不对，是李文彬") gives way to the repair.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chanyan.domain.numerals import spoken_digits
from chanyan.domain.validation import find_emails, find_phones

ORG_SUFFIX = (
    r"(?:股份有限公司|有限责任公司|有限公司|集团股份有限公司|集团有限责任公司|集团有限公司|集团|公司|研究院|研究所|研究中心|设计院|实验室|医院|卫生院|"
    r"大学|学院|学校|合作社|专业合作社|工作室|事务所|厂|中心|局|站|场|协会|商行|门诊部|农场|养殖场|基地)"
)
# A unit under the organisation, written straight after it: "…集团有限公司选矿分公司", "…研究院输变电分院",
# "中国科学院宁波材料技术与工程研究所". Its own words hold no function word ("XX公司和清华大学" is two names).
BRANCH_SUFFIX = (
    r"(?:分公司|子公司|分院|分厂|分所|分中心|分部|分行|支行|分局|分校|校区|事业部|研究院|研究所|设计院|实验室|办事处|工厂|基地|"
    r"中心|车间|学院|医院|码头|总场|分场)"
)
_BRANCH = r"(?:(?:(?![的和跟与及或是在找给我想要让])[\u4e00-\u9fffA-Za-z0-9]){0,14}" + BRANCH_SUFFIX + r")?"
_BRANCH_APART = r"(?:(?![的和跟与及或是在找给我想要让])[\u4e00-\u9fffA-Za-z0-9]){1,14}?" + BRANCH_SUFFIX
# An English registered name ("Suzhou Greentech Co., Ltd.", "NovaChip Inc."): the chunker would cut it at its comma.
_ENGLISH_ORG = re.compile(
    r"\b([A-Z][A-Za-z0-9&'-]*(?:[ ]+[A-Z][A-Za-z0-9&'-]*)*[ ]*"
    r"(?:Co\.?[,，]?[ ]*Ltd\.?|Ltd\.?|Limited|Inc\.?|Corp\.?|Corporation|GmbH|LLC|Company))"
)
_ORG = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9()（）·&]{2,40}?"
    + ORG_SUFFIX
    + r"(?:[(（][^()（）]{1,20}[)）])?"
    + _BRANCH
    + r"(?:股份有限公司|有限责任公司|有限公司)?"  # "…集团华东勘测设计研究院有限公司"
    + r"(?:[(（][^()（）]{1,20}[)）])?)"
)
# What ends a registered name after a brand's 的: a trade word and a legal form, or 集团.
_REGISTERED_TAIL = (
    r"(?:[\u4e00-\u9fff]{2,12}(?:股份有限公司|有限责任公司|有限公司)|集团(?:股份有限公司|有限公司)?)$"
)
# Words that make an "organisation" generic rather than a name: "一家商业航天公司", "我们公司".
_GENERIC_ORG = re.compile(
    r"^(?:一家|一个|一所|个|家|这家|那家|我们|我司|本|贵(?![州阳])|咱们?|俺们?|小|某|做|搞|是|在|的|一些|几家|有|和|跟|与|找|给)"
    r"|^(?:公司|工厂|厂|单位|企业|医院|大学|学院|研究所|研究院|中心)$|(?:的厂|的公司)$"
    r"|做.{1,12}的[\u4e00-\u9fff]{0,4}(?:厂|公司)|一(?:家|个|所)|几(?:家|个|所)|没有|联系人|姓名|电话|手机"
    # "苏州的模具厂" describes; a 的 inside a registered name ("悦的电器有限公司", "美的集团") is a brand's
    r"|[\u4e00-\u9fff]的(?!" + _REGISTERED_TAIL + r")[\u4e00-\u9fff]"
    r"|我们|我门|俺们|咱们|你们|他们|归|必须|肯定|希望|想|要求"
    r"|^(?:技术咨询|技术服务|技术开发|技术转让|技术许可|委托开发|合作开发)"  # "技术咨询加上现场技术服务" is a mode
    r"|^(?:民营|国有|上市|外资|合资|私营|小微|中小|高新技术|科技型|专精特新)(?:企业|公司)$"  # what kind, not which
)
_ORG_LEAD = re.compile(
    r"^.*?(?:我们是|我们(?:这边|这里)是|我(?:这边|这里)是|我司是|敝(?:公司|司|单位)是|本(?:公司|单位)是|我们公司(?:是|叫)|(?:公司|单位|企业)的?(?:名称|名字|全称|全名|名)(?:是|叫|为|:|：)?|公司(?:是|叫|:|：)|单位(?:是|叫|:|：)?|我是|这里是|来自|我们叫|叫|全称(?:是|:|：)?)"
)
TITLES = (
    "总经理|副总经理|董事长|总工程师|总工|经理|主任|副主任|科长|处长|部长|厂长|所长|院长|站长|局长|主管|总监|老师|教授|博士|"
    "先生|女士|小姐|老板|理事长|书记|工程师|技术员|工|总|助理|专员|场长|园长|校长|馆长|行长|队长|社长|会长|船长|组长|班长"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    # rarer ones, with characters that are hardly ever anything but a surname
    "亓逄訾禤郦扈郗郜晁蔺逯笪谌钮缑禚亢昝嵇郇邰綦芮郏阚仝宓隗甯璩鄢禹"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "慕容",
    "令狐",
    "夏侯",
    "公孙",
    "长孙",
    "宇文",
    "尉迟",
)
_PERSON_LEAD = re.compile(
    r"^(?:我是|我叫|俺叫|俺是|本人|叫我|联系人(?:是|为|:|：)?|姓名(?:是|:|：)?|称呼(?:是|:|：)?|我姓[\u4e00-\u9fff][,，\s]*|免贵姓[\u4e00-\u9fff][,，\s]*|找|就是|就写|写|是|我就是)+"
)
_EXPLICIT_LEAD = re.compile(
    r"^(?:我是|我叫|俺叫|俺是|本人|叫我|联系人|联络人|姓名|我姓|免贵姓|敝姓|我就是|找我|联系我"
    r"|(?:大家|别人|同事|他们)都?(?:叫|喊|称呼)我)"
)
_PERSON_TRAIL = re.compile(
    r"(?:就行了?|就好|就可以|即可|啊|呀|吧|呢|嘛|哈+|哦|噢|啦)+$|(?:(?<=\S)[,，\s]*(?:是|任)(?:我们|公司|厂里|单位)?的?(?:"
    + TITLES
    + r"|负责人|理事长|技术负责人|CTO|CEO).*)$"
)
_TITLE_PERSON = re.compile(
    r"^(?:[" + _SURNAMES + r"]|" + "|".join(_COMPOUND_SURNAMES) + r")(?:" + TITLES + r")$"
)
_TITLE_ANY = re.compile(r"^(?![的是在和跟与我你他她就])[\u4e00-\u9fff](?:" + TITLES + r")$")
_NOT_TITLED = frozenset(
    [
        "员工",
        "人工",
        "加工",
        "施工",
        "手工",
        "化工",
        "电工",
        "木工",
        "技工",
        "分工",
        "用工",
        "职工",
        "开工",
        "完工",
        "老总",
        "副总",
        "总工",
        "高工",
        "监工",
        "做工",
        "打工",
        "理工",
        "轻工",
        "军工",
    ]
)
_FULL_NAME = re.compile(
    r"^(?:" + "|".join(_COMPOUND_SURNAMES) + r"|[" + _SURNAMES + r"])[\u4e00-\u9fff]{1,2}$"
)
# Role and department words a name follows inside a phrase: "采购部的龚经理", "技术负责人龚立新", "大家都叫我老龚".
ROLES = (
    "技术负责人|项目负责人|负责人|联系人|总经理|副总经理|董事长|理事长|秘书长|社长|会长|书记|总裁|经理|副主任|主任|主管|总监|"
    "总工程师|工程师|总工|厂长|场长|科长|部长|处长|所长|院长|站长|组长|队长|采购|专员|助理|老师|博士|教授|技术员|老板|研究员"
)
_SURNAME = r"(?:" + "|".join(_COMPOUND_SURNAMES) + r"|[" + _SURNAMES + r"])"
_TITLED_TAIL = re.compile(
    r"(?:的|是|叫|找|我|[部科处室组办队]|中心|车间|" + ROLES + r")(" + _SURNAME + r"(?:" + TITLES + r"))$"
)
_FULL_TAIL = re.compile(
    r"(?:"
    + ROLES
    + r"|我是|我叫|是|叫|的|[部科处室组办队]|中心|车间)[:：\s]*("
    + _SURNAME
    + r"[\u4e00-\u9fff]{1,2})$"
)
# A name with no common surname after a role ("理事长巴特尔", "联系人扎西顿珠"): kept when the tagger reads it as one.
_ROLE_NAME_TAIL = re.compile(r"(?:" + ROLES + r")[:：\s]*([\u4e00-\u9fff]{2,4})$")
# Words typed straight after a name in an unpunctuated reply ("联系人龚立新手机139…").
_CONTACT_TRAIL = re.compile(
    r"的?(?:手机号码?|手机|电话号码?|电话|联系方式|邮箱|微信号?|号码)[:：]?$"
)  # "张总的手机…"
_PARTICLE_TRAIL = re.compile(r"(?:就行了?|就好|就可以|即可|啊|呀|吧|呢|嘛|哈+|哦|噢|啦)+$")
_NICKNAME = re.compile(r"(?:^|叫我|喊我|我是|人称|的|" + ROLES + r")((?:老|小)" + _SURNAME + r")$")
# A self-repair inside the contact reply ("李文斌……不对不对，是李文彬"): names said before it no longer count.
_REPAIR_MARK = re.compile(
    r"不对不对|不是不是|不对|说错了|打错了|写错了|搞错了|弄错了|更正一下|(?:哦|噢)不是|^不是(?=[\u4e00-\u9fff])"
)
_ENGLISH_NAME = re.compile(r"^[A-Z][a-z]+(?:[ .·-][A-Z][a-z]+){0,2}$")
_NOT_NAMES = frozenset(
    [
        "我们",
        "公司",
        "联系",
        "手机",
        "电话",
        "邮箱",
        "单位",
        "需求",
        "预算",
        "高校",
        "不限",
        "没有",
        "跳过",
        "可以",
        "好的",
        "谢谢",
        "你好",
        "您好",
        "就是",
        "这个",
        "那个",
        "一下",
        "经理",
        "老板",
        "专家",
        "买家",
        "人做",
        "找人",
        "招人",
        "要招人",
        "负责人",
        "老师",
        "技术",
        "项目",
        "合作",
        "开发",
        "管理",
        "我姓",
        "叫我",
        "科长",
        "厂长",
        "理事长",
        "工程师",
        "先生",
        "女士",
        "教授",
        "博士",
        "高工",
        "总工",
        "全称",
        "名称",
        "方式",
        "联系人",
        "手机号",
        "没毛病",
        "周期",
        "时间",
        "以上",
        "以下",
        "左右",
    ]
)
_CONTACT_WORD = re.compile(r"^(?:手机|电话|邮箱|微信|联系人|联络人|姓名|称呼)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s-]?(\d{7,8})(?:\s*(?:转|-|ext\.?)\s*(\d{1,6}))?(?!\d)")


@dataclass
class Contact:
    """The contact details a message carries (any subset)."""

    enterprise_name: str | None = None
    contact_name: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    landline: str | None = None

    def as_slots(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.enterprise_name:
            out["enterprise_name"] = self.enterprise_name
        if self.contact_name:
            out["contact_name"] = self.contact_name
        if self.phones:
            out["contact_phone"] = self.phones[0]
        if self.emails:
            out["contact_email"] = self.emails[0]
        return out


def find_landline(text: str) -> str | None:
    """A landline number ("0571-87651234转8021"), formatted as typed digits with its extension."""
    match = _LANDLINE.search(text)
    if not match:
        return None
    area, number, ext = match.groups()
    return f"{area}-{number}" + (f"转{ext}" if ext else "")


def find_organisation(text: str, *, bare_ok: bool = False, own: bool = False) -> str | None:
    """The organisation named in `text`, or None. With `bare_ok` (the company question was asked), a short
    answer without a suffix ("宁波精工注塑") counts as the name. With `own`, only an organisation the user
    introduces as theirs ("我们是…", "公司：…") counts: a university named as a partner is not the company."""
    for position, chunk in enumerate(_chunks(text)):
        introduced = bool(_ORG_LEAD.match(chunk))
        if own and not introduced and position > 0:
            continue  # a message that starts with an organisation introduces the sender's
        candidate = _ORG_LEAD.sub("", chunk).strip() if introduced else chunk
        for match in _ORG.finditer(candidate):
            # "龚立新在常熟梦兰纺织有限公司(上班)": what comes before 在/是 is not part of the name
            name = _balanced(re.sub(r"^(?:.*(?:在|是)(?=.{4,})|和|跟|与|叫)", "", match.group(1)))
            if not name:
                continue
            if (
                own
                and not introduced
                and (match.start() > 0 or re.search(r"大学|学院|研究院|研究所|科学院", name))
            ):
                continue  # unannounced, only an organisation opening the message, and not a likely partner
            if not _GENERIC_ORG.search(name) and len(name) >= 4:
                return _with_branch(name, text)
    english = _ENGLISH_ORG.search(text)
    if english and (not own or _ORG_LEAD.match(text[: english.start()] + "X") or english.start() == 0):
        return re.sub(r"\s*，\s*", ", ", english.group(1).strip())  # "Co.，Ltd." after the chunks were joined
    for chunk in _chunks(text):
        # "公司叫苏州瑞特机械", "单位全称是…": a name the user introduces as the company's needs no suffix.
        lead = re.match(
            r"^(?:公司|单位|企业|厂)(?:的)?(?:名称|名字|全称|全名|名)?(?:叫|是|为|:|：)\s*", chunk
        )
        bare = chunk[lead.end() :].strip() if lead else ""
        if (
            bare
            and 4 <= len(bare) <= 40
            and re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9()（）·&]+", bare)
            and not _GENERIC_ORG.search(bare)
            and not _looks_like_person(bare)
        ):
            return bare
    if bare_ok:
        for chunk in _chunks(text):
            if find_phones(chunk) or _CONTACT_WORD.search(chunk) or "@" in chunk:
                continue  # "手机13962345678 龚立新 梦兰纺织": the short name is the chunk that is not contact data
            bare = _ORG_LEAD.sub("", chunk).strip() if _ORG_LEAD.match(chunk) else chunk
            bare = re.sub(r"^(?:就是|是|叫)", "", bare)
            owner = re.match(r"^(.{2,20}?)的(.+)$", bare)  # "梦兰纺织的龚立新"
            if owner and _embedded_person("的" + owner.group(2)):
                bare = owner.group(1)
            if _looks_like_person(bare) or _embedded_person(bare):
                continue
            plausible = 2 <= len(bare) <= 40 and not _GENERIC_ORG.search(bare)
            if plausible and re.search(r"[\u4e00-\u9fffA-Za-z]{2,}", bare):
                return bare
            break  # only the first chunk that is not a person or contact data may be a bare name
    return None


def _without(text: str, org: str) -> str:
    """`text` without the organisation; "我是宁波某某模具厂的技术员小陈" stays one phrase ("我是的技术员小陈")."""
    return re.sub(re.escape(org) + r"(?=的)", "", text).replace(org, " ")


def _balanced(name: str) -> str | None:
    """The name without an unmatched opening bracket at its start; None when a bracket is left open inside
    ("罗建平(技术中心" is a person and the start of an aside, not an organisation)."""
    name = (
        re.sub(r"^[(（]", "", name)
        if name.count("(") + name.count("（") > name.count(")") + name.count("）")
        else name
    )
    opened = name.count("(") + name.count("（")
    closed = name.count(")") + name.count("）")
    return name if opened == closed else None


def _with_branch(name: str, text: str) -> str:
    """The name with the unit typed after it apart ("厦门象屿港务有限公司 海天码头分公司")."""
    after = re.search(re.escape(name) + r"[ ，,]+(" + _BRANCH_APART + r")(?=$|[\s，,;；。])", text)
    return f"{name} {after.group(1)}" if after else name


def find_person(
    text: str, *, bare_ok: bool = False, exclude: str | None = None, explicit: bool = False
) -> str | None:
    """The person named in `text` ("我姓王，王工" → "王工"; "叫我梁总就行，梁国栋" → "梁国栋"), or None.

    With `explicit` (a message that answers another question), only a person the user introduces counts
    ("联系人：郑海涛", "我是王工", "叫我梁总")."""
    cleaned = text
    for found in (*find_phones(text), *find_emails(text)):
        cleaned = cleaned.replace(found, " ")
    cleaned = re.sub(r"(?:\+?86)?[\d\s\-]{7,}", " ", cleaned)
    cleaned = re.sub(r"[\w.+-]+@[\w.-]+", " ", cleaned)
    if exclude:
        cleaned = _without(cleaned, exclude)
    org = find_organisation(cleaned)
    if org:
        cleaned = _without(cleaned, org)
    cleaned = _ENGLISH_ORG.sub(" ", cleaned)
    # "李工（李明轩）", "罗建平（技术中心主任）": an aside in brackets is its own piece.
    cleaned = re.sub(r"[()（）]", "，", cleaned)
    full: str | None = None
    titled: str | None = None
    english: str | None = None
    nickname: str | None = None
    surname: str | None = None
    for chunk in _chunks(cleaned):
        repaired = list(_REPAIR_MARK.finditer(chunk))
        if repaired:
            full = titled = english = nickname = surname = None
            chunk = re.sub(r"^[\s….,，]+", "", chunk[repaired[-1].end() :])
            if not chunk:
                continue
        labelled = re.search(
            r"(?:联系人|联络人|姓名|称呼|全名)(?:改成|换成|改为|写成|应该是)?[:：是为]?\s*(.+)$", chunk
        )
        if labelled:
            chunk = labelled.group(1)
        elif explicit and not _EXPLICIT_LEAD.match(chunk):
            continue
        lone = re.search(r"(?:我姓|免贵姓|敝姓|姓)([\u4e00-\u9fff])(?:$|[,，\s])", chunk + " ")
        if lone and not surname:
            surname = lone.group(1)
        embedded = _embedded_person(chunk)
        if embedded:
            kind, name = embedded
            if kind == "full" and not full:
                full = name
            elif kind == "titled" and not titled:
                titled = name
            elif kind == "nickname" and not nickname:
                nickname = name
        for piece in _person_pieces(chunk):
            if _ENGLISH_NAME.match(piece):
                english = piece if not english or len(piece) > len(english) else english  # "Kevin Zhang"
            elif piece not in _NOT_TITLED and (
                _TITLE_PERSON.match(piece) or (_TITLE_ANY.match(piece) and (bare_ok or labelled))
            ):
                titled = titled or piece  # a titled piece is never a full name ("梁总")
            elif (
                not full
                and piece not in _NOT_NAMES
                and _name_chars_ok(piece)
                and (_FULL_NAME.match(piece) or (labelled and _labelled_name(piece)))
            ):
                full = piece
    found = full or titled or english or nickname
    if found:
        return found
    if bare_ok:
        from chanyan.intake.talk import is_only_back_reference

        alone = (
            len(_chunks(cleaned)) == 1
        )  # the whole answer to "怎么称呼您" is the name, whatever the surname
        for chunk in _chunks(cleaned):
            piece = re.sub(r"^的", "", _strip_person(chunk))  # "我是(浙江大学)的老师": not a name
            if is_only_back_reference(piece) or re.search(
                r"^姓|邮箱|手机|电话|座机|微信|号码|同号|[Qq][Qq]|不留|没有|跳过|不用", piece
            ):
                continue
            if (
                2 <= len(piece) <= 4
                and re.fullmatch(r"[\u4e00-\u9fff]+", piece)
                and piece not in _NOT_NAMES
                and (piece[0] in _SURNAMES or piece[:2] in _COMPOUND_SURNAMES or alone)
                and _name_chars_ok(piece)
            ):
                return piece
    if surname:
        return f"{surname}先生/女士"
    return None


def parse_contact(text: str, *, asked: str | None = None) -> Contact:
    """All contact details in one reply ("无锡锡东精密模具有限公司，联系人胡斌，手机13506178823，邮箱…")."""
    from chanyan.intake.talk import strip_talk

    # A number dictated digit by digit in groups ("幺三八 二六五三 七七四一") is written out before the reply is cut
    # into parts at its spaces. A self-repair is kept as said, so that the name before it is dropped
    # (find_person); other talk goes.
    text = spoken_digits(text)
    parts = [c if _REPAIR_MARK.search(c) else strip_talk(c) for c in _chunks(text)]
    text = "，".join(p for p in parts if p)
    org = find_organisation(text, bare_ok=asked == "enterprise_name", own=asked is None)
    # In a reply to the contact question, a short name standing alone between the other parts is the person.
    several = asked is not None and len([p for p in parts if p]) >= 2
    person = find_person(
        text, bare_ok=asked == "contact_name" or several, exclude=org, explicit=asked is None
    )
    return Contact(
        enterprise_name=org,
        contact_name=person,
        phones=find_phones(text),
        emails=find_emails(text),
        landline=find_landline(text),
    )


# A clause where the user says where they are ("武汉这边做仓配的", "我司地处西宁", "我们厂在宜宾").
_SELF_PLACE = re.compile(
    r"我们|我司|本公司|我公司|我厂|咱们|俺们|这边|这里|本地|位于|地处|总部|坐落|(?:厂|公司|基地|工厂)(?:就)?在"
)


def home_place(enterprise_name: str | None, *texts: str | None) -> dict | None:
    """Where the enterprise is ({"province": "湖北", "city": "武汉"}): from its name, else from a clause of the
    user's own texts that places the user ("武汉这边做跨境仓配的"); None when neither says."""
    from chanyan.intake.protocol import locate

    if enterprise_name:
        place = locate(enterprise_name)
        if place:
            return place
    for text in texts:
        for position, chunk in enumerate(_chunks(text or "")):
            if position == 0 or _SELF_PLACE.search(chunk):
                place = locate(chunk)
                if place:
                    return place
    return None


def _chunks(text: str) -> list[str]:
    return [
        c.strip() for c in re.split(r"[,，;；。!！?？\n、/|]+|\s{1,}(?=[\u4e00-\u9fff])", text) if c.strip()
    ]


def _strip_person(chunk: str) -> str:
    piece = _PERSON_LEAD.sub("", chunk.strip())
    piece = _PERSON_TRAIL.sub("", _CONTACT_TRAIL.sub("", piece))
    return piece.strip(" 。.:：")


def _person_pieces(chunk: str) -> list[str]:
    piece = _strip_person(chunk)
    pieces = [piece]
    # "环保科 孟科长", "郑海涛 手机": a longer chunk may hold the name as one of its words.
    if len(piece) > 4:
        pieces.extend(w for w in re.split(r"\s+", piece) if w)
        titled = re.search(
            r"(?:^|[^\u4e00-\u9fff]|[科处部室组])([" + _SURNAMES + r"](?:" + TITLES + r"))$", piece
        )
        if titled:
            pieces.append(titled.group(1))
    return [p for p in pieces if p]


def _embedded_person(chunk: str) -> tuple[str, str] | None:
    """A name ending a phrase of role or department words: ("titled", "龚经理") from "采购部的龚经理",
    ("full", "龚立新") from "我是技术负责人龚立新", ("nickname", "老龚") from "大家都叫我老龚"."""
    piece = _PARTICLE_TRAIL.sub("", _CONTACT_TRAIL.sub("", chunk.strip())).strip(" 。.:：")
    match = _TITLED_TAIL.search(piece)
    if match and match.group(1) not in _NOT_TITLED and match.start(1) > 0:
        return "titled", match.group(1)
    match = _FULL_TAIL.search(piece)
    if match and match.start(1) > 0:
        name = match.group(1)
        if name not in _NOT_NAMES and _name_chars_ok(name) and _tagged_as_name(name):
            return "full", name
    match = _ROLE_NAME_TAIL.search(piece)
    if match and match.start(1) > 0:
        name = match.group(1)
        if (
            name not in _NOT_NAMES
            and _name_chars_ok(name)
            and _tagged_as_name(name)
            and not _common_word(name)
        ):
            return "full", name
    match = _NICKNAME.search(piece)
    if match and match.group(1) not in _NOT_NAMES and not _common_word(match.group(1)):
        return "nickname", match.group(1)  # "老龚", not "老师" or "小时"
    return None


def _labelled_name(piece: str) -> bool:
    """ "联系人：阿依古丽": a labelled name need not start with a common surname; "联络人敝姓蔡" is a surname said
    first, before the name."""
    return (
        bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", piece)) and "姓" not in piece and not _common_word(piece)
    )


def _tagged_as_name(word: str) -> bool:
    """Whether the tagger reads `word` as a person name ("龚立新" → 龚/nr, but "张力" → n): a surname-initial
    word inside a phrase is often an ordinary word."""
    from chanyan.intake.protocol import is_person_name

    return is_person_name(word)


def _common_word(word: str) -> bool:
    from chanyan.intake.protocol import is_common_word

    return is_common_word(word)


def _looks_like_person(text: str) -> bool:
    piece = _strip_person(text)
    return bool(_TITLE_PERSON.match(piece) or (_FULL_NAME.match(piece) and len(piece) <= 3))


# Characters that make a surname-initial word an ordinary word rather than a name ("高分子", "钱好说", "说了").
_NOT_NAME_CHARS = frozenset(
    "的了是在有和就都说做要会能很不这那个们么吗呢吧啊好钱事分子料材术器机件品网数据厂司业务题"
)


def _name_chars_ok(piece: str) -> bool:
    return not any(ch in _NOT_NAME_CHARS for ch in piece[1:])
