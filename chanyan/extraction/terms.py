"""合作方式, 知识产权归属, 意向合作方 and contact details: closed vocabularies found by patterns."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from chanyan.domain.schema import COOP_MODES, PARTNER_TYPES
from chanyan.domain.validation import find_emails, find_phones
from chanyan.taxonomy import DATA_DIR

from .jio import jionlp
from .matcher import TermMatcher
from .textnorm import clauses, fold, normalize

PARTNERS_PATH = DATA_DIR / "partners.yml"

# Canonical 合作方式 → phrases that mean it. Order matters: the specific kinds of 技术开发 before the generic one.
COOP_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "技术开发(委托开发)",
        re.compile(
            r"委托|(?<!实验)(?<!测试)(?<!检测)外包|帮(?:我们|我司|忙)?(?:开发|研发|做|设计|搞)|替我们|定制开发|代为开发|交给(?:你们|高校|专家|他们)|找人(?:开发|做)|包干"
            # "出钱让他们做", "我们出钱，让他们来做": the enterprise pays, the partner does the work
            r"|出钱(?:让|请|叫|找)|让(?:他们|对方|人家|高校|学校|专家|老师)(?:来)?(?:做|干|搞|开发|研发)"
            # "他们开发，费用我们出", "帮我们把样机做出来"
            r"|(?:钱|费用|经费)(?:由|都)?我们(?:来)?出|(?<![跟和与])(?:他们|对方)(?:来)?(?:开发|研发)"
            r"|帮(?:我们|我司)?把[^，,。；;]{1,10}?(?:做|搞|开发|研发|设计)出来"
        ),
    ),
    (
        "技术开发(合作开发)",
        re.compile(
            r"(?:寻求|求|寻找|找|和|跟|与|希望|想)[^，。,；;！!？?]{0,8}?(?<!长期)(?<!人才)(?<!战略)合作(?![方式单位对象协议流程模板])|合作(?:开发|研发|攻关)|联合(?:开发|研发|攻关)|一起(?:研发|开发|搞|做|攻关)|共同(?:开发|研发|攻关)|协同(?:开发|研发)|联合申报"
            # "两边一块儿干", "跟他们一块搞", "他们出技术，我们出场地": both sides do the work
            r"|(?:一块儿?|一道|一起)(?:干|搞|弄|研发|开发|攻关)|(?:他们|对方|高校|学校|专家)出技术|(?:一起|共同)申报"
            r"|(?:跟|和|与)(?:他们|对方|高校|学校|专家|老师)(?:一起)?(?:开发|研发)"
        ),
    ),
    (
        "技术转让",
        re.compile(
            r"技术转让|专利转让|成果转让|转让|买(?:个|断|下)?(?:专利|技术|成果)|买(?:他们|对方|人家|高校|学校)的?(?:现成的?)?(?:专利|技术|成果)|购买(?:专利|技术|成果)|买断|直接买|拿来就用"
        ),
    ),
    ("技术许可", re.compile(r"许可|授权使用|授权|[Ll]icen[sc]e|使用权")),
    (
        "技术咨询",
        re.compile(
            r"咨询|出主意|论证|可行性|(?:来|帮忙?|帮我们)?诊断一下|来厂里诊断|把脉|把把关|评估一下|技术评估|指导|辅导|顾问|出个?方案|给(?:点|些)?建议|提建议"
            r"|(?:只要|要个|给个|提供)(?:一?[个套份])?(?:技术|解决)?方案"
        ),
    ),
    (
        "技术服务",
        re.compile(
            r"技术服务|技术支持|检测服务|测试服务|检测机构|第三方检测|按次|按天付费|仪器共享|(?:实验|测试|检测|分析)外包|长期合作|每个月都有|审计|扫描|帮(?:忙|我们)?(?:检测|测试|分析|化验)|代测|送检|驻场|培训|运维服务|做个?检测|做(?:一下)?测试"
        ),
    ),
    ("共建研发平台", re.compile(r"共建|联合实验室|研发中心|研发平台|工作站|中试基地|创新中心")),
    (
        "人才合作",
        re.compile(
            r"人才|引进(?:博士|专家|团队)|招(?:人|聘)|博士后|研究生|实习|兼职|挂职|特派员|派(?:个|些)?(?:人|专家|学生)"
        ),
    ),
    ("技术开发", re.compile(r"技术开发|研发合作|开发合作")),
    ("其他", re.compile(r"其他(?:方式|合作)|别的方式")),
)
assert all(mode in COOP_MODES for mode, _ in COOP_PATTERNS)

_OWN_USE = re.compile(r"(?:独占|独家|排他)的?使用权|使用权(?:要|得|必须)?(?:归|是)?(?:我们|我方|我司)")
_IP_CUE = re.compile(r"知识产权|专利|产权|IP|ip|成果|归属|归谁|所有权|著作权|软著")
IP_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    (
        "双方共有",
        re.compile(
            r"共有|共享|共同(?:所有|拥有|申请|持有)|一起申请|双方(?:所有|都有|共同)|各占|联合申请|归双方"
            r"|(?:两家|两边|双方|一块儿?|一起)[^，,。；;]{0,3}(?:申请|申报|署名)|一家一半|各一半|各占一半|五五分|对半"
        ),
    ),
    (
        "归企业所有",
        re.compile(
            r"归(?:我们|我方|我司|企业|公司|甲方|企业方|委托方)|(?:我们|我方|我司|企业|公司)(?:所有|独有|拥有|持有|买断)|必须是我们的|要(?:全部|全)?归我们|独占"
            r"|(?:我们|我方|我司)(?:全?都)?要(?=$|[，,。；;！!\s])|(?:我们|我方|我司)?要?独家|(?:在|放|挂)(?:我们|我方|我司|公司|企业)(?:的)?名下"
        ),
    ),
    (
        "归研发方所有",
        re.compile(
            r"归(?:对方|学校|高校|院所|研发方|乙方|老师|专家|你们|他们|研究所|研究院)|(?:学校|高校|对方|研发方)(?:所有|拥有)"
        ),
    ),
    (
        "协商确定",
        re.compile(
            r"协商|商量|可以谈|再谈|面议|看情况|好说|都可以谈|按惯例|按约定|合同约定|按合同|合同(?:里|上)(?:写|约定|定)"
        ),
    ),
    ("无要求", re.compile(r"无所谓|没要求|没有要求|不要求|都行|都可以|无要求|不在乎|不介意")),
)

_TYPE_CUES: tuple[tuple[str, re.Pattern], ...] = (
    ("高校", re.compile(r"高校|大学|学院|院校|学校|教授|老师|课题组|导师|985|211|双一流")),
    (
        "科研院所",
        re.compile(
            r"科研院所|院所|研究院|研究所|科学院|中科院|农科院|医科院|设计院|研究机构|科研机构|国家实验室|重点实验室"
        ),
    ),
    (
        "企业",
        re.compile(
            r"(?:找|和|跟|与|或|或者|也可以是|有经验的|专业的|成熟的|靠谱的)(?:个|一?家|些)?[\u4e00-\u9fa5]{0,4}?(?:企业|公司|厂家|厂商|供应商|服务商)|(?:企业|公司|厂家)也(?:可以|行)"
            # "找做语音算法的公司", "找专门做涂层的厂家"
            r"|找(?:个|一?家|些)?(?:专门|专业)?(?:做|搞)[^，,。；;！!？?]{1,10}?的(?:企业|公司|厂家|厂商|供应商|服务商)"
        ),
    ),
)
_ANY_PARTNER = re.compile(
    r"(?:合作方|合作单位|合作对象|单位|高校|院所|企业|团队|对象)(?:类型)?(?:都|均)?(?:不限|都可以|都行|无所谓|没要求|均可)"
)
_PARTNER_CUE = re.compile(
    r"高校|大学|学院|院所|研究院|研究所|科学院|专家|团队|教授|老师|合作方|单位|机构|企业|公司|厂家|地区|省内|本地|优先|最好|希望|倾向|找"
)
_SELF_CUE = re.compile(
    r"我是|我们这|本公司|我们厂|我们是|我们在|我们位于|我司|我公司|我们公司|我厂|位于|地处|总部|坐落|注册在|公司在|企业在|工厂在|厂在|地址"
)
_NEAR = re.compile(r"离|距离|靠近|附近|挨着|旁边|邻近")
_NAME_SUFFIX = re.compile(
    r"(?P<name>[\u4e00-\u9fa5]{2,12}?(?:大学|学院|研究院|研究所|科学院|研究中心|实验室))"
)
_NAME_STOP = re.compile(
    r".*(?:的|找|和|跟|与|或|是|有|想|要|能|在|及|个|家|些|像|比如|例如|最好|希望|优先|倾向|可以|或者|以及|对接|联系|合作)"
)
_GENERIC_NAME = re.compile(
    r"^(?:双一流|一流|985|211|重点|名牌|本地|国内|省内|附近|周边|知名|好的|相关|重点|专业|一流|顶尖|外地|当地|国外|海外|我们|这个|那个|有关|科研|高校|科技|技术|工程|重点实验|联合实验|国家重点实验|省重点实验)"
)


@dataclass(frozen=True)
class PartnerVocabulary:
    """Known institutions (with their types) and regions, from partners.yml."""

    institutions: dict[str, str]  # any written form → full name
    institution_types: dict[str, str]  # full name → type
    regions: dict[str, str]  # any written form → canonical region
    matcher: TermMatcher


@lru_cache(maxsize=4)
def load_partner_vocabulary(path: Path | str = PARTNERS_PATH) -> PartnerVocabulary:
    """Read partners.yml (format documented at its top)."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    institutions, types, regions = {}, {}, {}
    for full, spec in (raw.get("institutions") or {}).items():
        types[full] = spec.get("type", "企业")
        for form in (full, *(spec.get("aliases") or ())):
            institutions[fold(str(form))] = full
    for region, forms in (raw.get("regions") or {}).items():
        for form in (region, *(forms or ())):
            if len(str(form)) >= 2:
                regions[fold(str(form))] = region
    return PartnerVocabulary(institutions, types, regions, TermMatcher([*institutions, *regions]))


def parse_coop_modes(text: str) -> list[str]:
    """合作方式 mentioned in the text, canonical values from chanyan.domain.schema.COOP_MODES, in schema order."""
    text = normalize(text)
    found = {mode for mode, pattern in COOP_PATTERNS if pattern.search(text)}
    if found & {"技术开发(委托开发)", "技术开发(合作开发)"}:
        found.discard("技术开发")
    # "授权" inside 知识产权 talk is about ownership, not a licence, unless 许可 is said; so is "我们要独占使用权"
    # beside another mode ("出钱让他们做，…我们要独占使用权"): the enterprise wants the result for itself.
    if (
        "技术许可" in found
        and not re.search(r"许可|[Ll]icen[sc]e|授权使用|使用权", text)
        and _IP_CUE.search(text)
    ):
        found.discard("技术许可")
    if (
        "技术许可" in found
        and len(found) > 1
        and _OWN_USE.search(text)
        and not re.search(r"许可|[Ll]icen[sc]e|授权", text)
    ):
        found.discard("技术许可")
    return [mode for mode in COOP_MODES if mode in found]


def parse_ip_preference(text: str, strict: bool = False) -> str | None:
    """知识产权归属 as a short phrase ("归企业所有", "双方共有", "归研发方所有", "协商确定", "无要求")."""
    text = normalize(text)
    if not text:
        return None
    scopes = [c for _, c in clauses(text) if _IP_CUE.search(c)] if strict or len(text) > 20 else [text]
    for scope in scopes:
        for phrase, pattern in IP_PATTERNS:
            if pattern.search(scope):
                return phrase
    return None


# The short forms of a university named after its place ("武汉理工", "东北农大", "西南交大"): place + kind.
_SHORT_UNIVERSITY = {
    "理工": "理工大学",
    "工大": "工业大学",
    "农大": "农业大学",
    "林大": "林业大学",
    "农林": "农林大学",
    "师大": "师范大学",
    "交大": "交通大学",
    "科大": "科技大学",
    "医大": "医科大学",
    "财大": "财经大学",
    "石大": "石油大学",
    "海大": "海洋大学",
    "矿大": "矿业大学",
}
_SHORT_UNIVERSITY_RE = re.compile(
    r"(?P<place>[\u4e00-\u9fa5]{2,3}?)(?P<kind>" + "|".join(_SHORT_UNIVERSITY) + r")(?!大学|学院|[大学院所])"
)
_DIRECTIONS = frozenset({"东北", "华南", "华北", "华东", "华中", "西南", "西北", "东南", "中南"})


def _short_university_names(text: str, vocab: PartnerVocabulary) -> list[tuple[int, int, str]]:
    spans = []
    for match in _SHORT_UNIVERSITY_RE.finditer(text):
        place = match["place"]
        for start in range(len(place) - 1):  # "找山东理工" → 山东
            head = place[start:]
            if head in _DIRECTIONS or fold(head) in vocab.regions:
                spans.append((match.start() + start, match.end(), head + _SHORT_UNIVERSITY[match["kind"]]))
                break
    return spans


def _institution_names(text: str, vocab: PartnerVocabulary) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for match in vocab.matcher.find(text):
        if match.term in vocab.institutions:
            spans.append((match.start, match.end, vocab.institutions[match.term]))
    for start, end, full in _short_university_names(text, vocab):
        if not any(s <= start < e or start <= s < end for s, e, _ in spans):
            spans.append((start, end, vocab.institutions.get(full, full)))
    for match in _NAME_SUFFIX.finditer(text):
        start, name = match.start(), match["name"]
        stop = _NAME_STOP.match(name)
        if stop:
            start, name = start + stop.end(), name[stop.end() :]
        if len(name) < 4 or _GENERIC_NAME.match(name):
            continue
        if any(s <= start < e or start <= s < start + len(name) for s, e, _ in spans):
            continue
        spans.append((start, start + len(name), vocab.institutions.get(name, name)))
    return sorted(spans)


# A kind of partner ruled out: "不要高校", "不找科研院所", "高校就不考虑了", "外地的不要".
_RULED_OUT_BEFORE = r"(?:不要|不找|不用|不考虑|别找|不想找|排除)(?:找)?(?:个|一?家|些)?"
_RULED_OUT_AFTER = (
    r"(?:的)?(?:就)?(?:不要|不考虑|不行|不合适|算了|不用|免了|不找|排除)(?:了)?(?=$|[，,。；;！!\s])"
)
_KIND_WORDS = (
    r"高校|大学|学校|院校|科研院所|院所|研究院|研究所|科研机构|企业|公司|厂家|外地|外省|省外|外国|国外"
)
_RULED_OUT = re.compile(
    rf"{_RULED_OUT_BEFORE}(?P<before>{_KIND_WORDS})(?:的)?|(?P<after>{_KIND_WORDS})(?:的|那边|那种)?{_RULED_OUT_AFTER}"
    r"|(?P<far>外地|外省|省外)的?[^，,。；;！!]{0,6}?(?:不方便|太远|麻烦)"
)
# Ruling out the places beyond one's own means one's own place ("省内的就行，不要外地的").
_RULED_OUT_ELSEWHERE = {"外地": "本地", "外省": "省内", "省外": "省内"}


def parse_partner(text: str, vocab: PartnerVocabulary | None = None, *, answer: bool = False) -> dict:
    """意向合作方: {"types": [...PARTNER_TYPES], "names": [full names], "regions": [canonical regions]}.

    A kind ruled out ("不要高校", "外地的不要") is no preference for it; ruling out other places keeps one's own
    (the deictic regions 本地 / 省内, resolved against where the enterprise is by the interview). With `answer`
    (the reply to the partner question) every clause is about the partner ("北京上海的都行"); in other messages
    only a clause that says so is."""
    text = normalize(text)
    result: dict = {"types": [], "names": [], "regions": []}
    if not text:
        return result
    ruled_out: list[str] = []
    for found in _RULED_OUT.finditer(text):
        word = found["before"] or found["after"] or found["far"]
        if word in _RULED_OUT_ELSEWHERE:
            text = f"{text}，{_RULED_OUT_ELSEWHERE[word]}的"
        ruled_out.append(word)
    if ruled_out:
        text = _RULED_OUT.sub("，", text)
    vocab = vocab or load_partner_vocabulary()
    names = _institution_names(text, vocab)
    types = {ptype for ptype, pattern in _TYPE_CUES if pattern.search(text)}
    for _, _, full in names:
        types.add(
            vocab.institution_types.get(full) or ("高校" if full.endswith(("大学", "学院")) else "科研院所")
        )
    if _ANY_PARTNER.search(text):
        types.add("不限")
    regions: list[str] = []
    for offset, clause in clauses(text):
        if _SELF_CUE.search(clause) or not (
            _PARTNER_CUE.search(clause) or (answer and not _NEAR.search(clause))
        ):
            continue  # "离南京近" beside the answer says where the user is, not where the partner should be
        for match in vocab.matcher.find(clause):
            start = offset + match.start
            region = vocab.regions.get(match.term)
            inside_name = any(s <= start < e for s, e, _ in names)
            if region and not inside_name and region not in regions:
                regions.append(region)
    result["types"] = [t for t in PARTNER_TYPES if t in types]
    result["names"] = list(dict.fromkeys(full for _, _, full in names))
    result["regions"] = regions
    return result


_ADMIN_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|盟|地区|自治州)$")
_LOCATION_LOCK = threading.Lock()


def locate_place(text: str, vocab: PartnerVocabulary | None = None) -> dict | None:
    """The province and city a text places itself in ("宜宾这边做电芯的" → {"province": "四川", "city": "宜宾"}),
    as the region names of partners.yml where it has them; None when no province or city is named in it.
    JioNLP's administrative map does the lookup; a place it infers but the text does not name does not count."""
    text = normalize(text)
    if not text:
        return None
    vocab = vocab or load_partner_vocabulary()
    try:
        with _LOCATION_LOCK:
            found = jionlp().parse_location(text)
    except Exception:  # JioNLP raises on some inputs it cannot read
        return None
    place: dict = {}
    for level in ("province", "city"):
        full = found.get(level)
        if not full:
            continue
        short = _ADMIN_SUFFIX.sub("", full)
        place[level] = vocab.regions.get(fold(full)) or vocab.regions.get(fold(short)) or short
    named = [
        _ADMIN_SUFFIX.sub("", str(found.get(level)))
        for level in ("province", "city", "county")
        if found.get(level)
    ]
    if not place or not any(len(name) >= 2 and name in text for name in named):
        return None
    return place


def parse_phones(text: str) -> list[str]:
    """Chinese mobile numbers (spaces, dashes and +86 accepted), normalized to 11 digits."""
    return find_phones(normalize(text))


def parse_emails(text: str) -> list[str]:
    """E-mail addresses, lower-cased domain, in order of appearance."""
    return find_emails(normalize(text))
