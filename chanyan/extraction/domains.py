"""所属领域 ranking: taxonomy keyword rules combined with the trained text classifier."""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .matcher import TermMatch, TermMatcher
from .taxonomy import Taxonomy
from .textnorm import clauses

NONE_LABEL = "NONE"
RULE_SHARE_MIN = float(
    os.environ.get("CHANYAN_RULE_SHARE_MIN", "0.6")
)  # the rules' share of the combined score
RULE_SHARE_MAX = float(os.environ.get("CHANYAN_RULE_SHARE_MAX", "0.95"))  # ... grows with their evidence
MIN_RULE_EVIDENCE = 0.5  # below this much keyword weight, rules alone do not propose a domain
MIN_MODEL_ONLY_CHARS = 10  # shorter replies with no technical term are answers, not need descriptions
MIN_MODEL_SCORE = 0.75  # the classifier alone must be this sure to propose a domain (it is overconfident)
DOMAIN_ONLY_DISCOUNT = 0.6  # a domain-level cue ("新材料") is weaker than a category term
SHORT_TERM = 4  # terms shorter than this must not cross a token boundary
SELF_DESCRIPTION_WEIGHT = 0.4  # "我们是做锂电池的": the business, not necessarily the need
MODIFIER_WEIGHT = (
    0.5  # 「基于深度学习的…系统」, 「面向新能源汽车的…」: the method or the market, not the object
)
CONTEXT_WEIGHT = (
    0.6  # a clause that asks for nothing ("一家汽车零部件企业与高校达成合作") next to one that does
)


# The clause where an enterprise says what it is or makes: "我们是做锂电池的", "我司做储能pack", "我是一家电商公司".
_SELF_DESCRIPTION = re.compile(
    r"(?:我们公司|我们厂|我们|我司|我厂|本公司|我是)(?:是|主要|一直)?(?:做|生产|搞|从事)?"
    r"[^，。,；;！!？?想需求找请帮]{0,16}(?:的(?=[，,。；;]|$)|公司|企业|厂家|工厂|服务商|供应商|制造商|集成商|运营商|厂(?=[，,。；;]|$))"
    # "主营锂电池pack", "主要生产汽车零部件", "专业从事阀门制造": the line of business.
    r"|(?:主营|主要生产|主要做|主要从事|专业生产|专业从事|专注于?|主打)[^，。,；;！!？?想需求找请帮]{1,16}"
    # "给汽车厂配套", "为华为供货": whom the enterprise supplies.
    r"|(?:给|为)[^，。,；;！!？?想需求找请帮]{1,12}(?:配套|供货|代工|做代工|提供配套)"
    # "单位名称：合肥某某机械有限公司", "苏州精工模具有限公司": a name says what the company is, not what it needs.
    r"|(?:单位|公司|企业)(?:名称|全称|名字)?\s?[:：】]\s?[:：]?[^，。,；;！!？?\n|/【]{1,30}"
    r"|(?:需求方|需求单位|申报单位|承担单位|提出单位|发榜单位|申请单位|申请机构|需求企业)\s?[:：】]\s?[:：]?[^，。,；;！!？?\n|/【]{1,30}"
    r"|[^，。,；;！!？?\s想需求找请帮]{2,20}?(?:有限责任公司|有限公司|股份公司|集团)"
)
# A question about the assistant itself ("你是机器人还是真人"): its words are not the user's technical terms.
_ABOUT_ASSISTANT = re.compile(
    r"你们?(?:是不是|是)(?:个|一个)?(?:机器人|人工智能|AI|真人|人工)[^，。,；;！!？?]{0,12}"
)
# Words that turn a message into a need (a wish, a problem, a question); a self-description without one is an
# introduction ("我司主营锂电池pack，年产值两个亿"), which proposes no domain.
_NEED_CUE = re.compile(
    r"想|需要|需求|要求|希望|打算|计划|准备|求|寻|找|问题|难题|怎么|怎样|如何|咋|能否|能不能|可不可以|有没有|"
    r"解决|改进|改善|优化|提升|提高|降低|减少|开发|研发|研制|攻关|合作|替代|改造|升级|引进|定制|做个|做一|搞个|搞一|"
    r"不行|不好|不够|不足|不稳|不均|不达标|不了|不到|不上|不住|超标|太|偏|老是|总是|经常|容易|故障|失效|缺陷|不良|瓶颈|困扰|头疼|"
    r"帮|急|请|诊断|咨询|评估|检测|测试|认证|[？?]"
)


# 「基于X的」「面向X的」「用于X的」 (「面向X之」 in Taiwan titles): X is how or for whom, the object follows.
_MODIFIER = re.compile(
    r"(?:基于|面向|用于|适用于|针对|应用于|以)[^，。,；;！!？?的之]{2,20}?(?:的|之|为基础的|为核心的)"
)
# 「为本市轨道交通研发…」「为养殖户开发…」: whom the work is for, the object follows the verb.
_BENEFICIARY = re.compile(
    r"(?<![因以作成])为[^，。,；;！!？?为]{2,24}?(?=研发|研制|开发|设计|攻关|定制|打造)"
)
# 「光刻胶用高纯树脂」「锂电池用的隔膜」: a term right before 用 names what the object is for (see _for_use_spans).
_FOR_USE = re.compile(r"(?<=[\u4e00-\u9fa5])用的?")
_USE_VERB_HEADS = frozenset("采使应利专适通作运借食饮家民军商信费享占挪调引启试不可常再只都要想能会改选")
# 「通过土壤感测器自动调整灌溉」「采用深度学习识别…」: the means, before what it is used to do.
_MEANS = re.compile(
    r"(?:采用|借助|运用|通过|利用|使用|(?<=[想望要能可])用)[^，。,；;！!？?]{2,14}?"
    r"(?=实现|进行|开展|提高|提升|降低|减少|完成|自动|识别|检测|监测|预测|控制)"
)
# A pasted form: the title field names the object of the need, the background fields (industry, situation,
# company profile) are context. A value runs to the next field, line or separator.
_FIELD_END = (
    r"(?=[\n|｜/；;【]|\s[\u4e00-\u9fa5]{2,6}[:：]|[一二三四五六七八九十]、|$"
    r"|。(?:希望|拟|要求|需要|计划|现需|目标|需求))"
)
_TITLE_FIELD = re.compile(
    r"(?:需求名称|项目名称|课题名称|需求标题|榜单名称|需求题目|项目题目|技术需求名称)\s?[:：】]\s?[^\n|｜/；;【]{2,60}?"
    + _FIELD_END
)
_BACKGROUND_FIELD = re.compile(
    r"(?:所属行业|所属领域|行业类别|行业|需求背景|背景|现状|企业简介|单位简介|公司简介|企业概况)\s?[:：】]\s?"
    r"[^\n|｜/；;【]{2,200}?" + _FIELD_END
)
TITLE_FIELD_WEIGHT = 1.5

# 「…产生的臭味」「电镀排放的废水」: the source is context, the pollutant or the product that follows is the object.
_SOURCE_OF = re.compile(r"[^，。,；;！!？?的]{2,20}?(?:产生|排放|排出|释放|散发|造成|带来|引起)的")
# The name of a university or an institute says who, not what: 华南农业大学, 中国药科大学, 某某研究所.
_INSTITUTION = re.compile(
    r"[^与和同跟及、，。,；;：:的是在由家个为向对“”\"（）()\s]{2,10}?(?:大学|学院|研究院|研究所|科学院)"
)
# 「废弃太阳能板」「退役动力电池」「废旧轮胎」: what is discarded is the object of a recycling need.
_WASTE_PREFIX = re.compile(r"(?:废弃|废旧|退役|报废)(?:的)?$")
WASTE_CODE = "703"
# 「…系统开发」「…管理平台」 after a specific term: the generic head says little about the domain.
GENERIC_HEADS = frozenset(
    {"系统开发", "软件系统", "管理系统", "管理平台", "软件平台", "系统重构", "国产化替代", "预警系统"}
)
GENERIC_HEAD_WEIGHT = 0.4
# 「输电线路无人机巡检」「光伏电站…无人机巡检识别」: after the inspected object, the inspecting machine is the means.
INSPECTION_MEANS = frozenset({"无人机巡检", "巡检无人机", "无人机航拍", "巡检机器人", "无人机"})
_INSPECTING = re.compile(r"^(?:巡检|巡查|巡视|航拍|红外|影像|拍摄|测绘)")
# 「用陶瓷抛光废渣制备发泡陶瓷板」「牛粪好氧发酵制有机肥」: after a waste term, what it is made into is the product,
# the need is the waste's utilisation.
_MADE_INTO = re.compile(r"制备|制取|制成|制作|制得|制|生产|做成|转化为|转化成|合成")
INSTITUTION_WEIGHT = 0.2
# Words that end what comes before a name (…企业联合中科院某研究所: the name starts after 联合).
_NAME_START = re.compile(r".*(?:联合|携手|委托|邀请|找|请|企业|公司|集团|厂|以及|还有)")

# A clause that asks for something (a demand or a research verb); terms elsewhere are context.
_DEMAND_CLAUSE = re.compile(
    r"想|需要|希望|寻求|征集|征求|求解|攻关|开发|研发|研制|研究|解决|提升|提高|降低|减少|优化|改进|改善|改造|替代|"
    r"设计|建设|搭建|实现|导入|引入|突破|检测|监测|处理|回收|治理|修复|选育|制备|防治|诊断|评估|定制|升级|[？?]"
)


# What a clause of context says: who, where, how big, what happened (news, company background, forms).
_CONTEXT_CLAUSE = re.compile(
    r"企业|公司|厂|集团|大学|学院|研究院|研究所|科学院|高校|团队|合作社|医院|签约|签署|签订|达成|获悉|报道|记者|据悉|"
    r"据介绍|据了解|日前|近日|年产|产值|营收|销售额|销售收入|存栏|拥有|位于|成立|规模|面积|总长|装机|背景|现有|每年|年均"
)


# A clause about where and how well the product sells ("在电商平台卖得不错", "去年卖了300多台", "主要经分销商卖到东南亚"):
# beside a clause that asks for technical work, its words are the market, not the need.
_MARKET_CLAUSE = re.compile(
    r"卖得|卖了|卖到|卖给|热销|畅销|销量|销往|外销|内销|售价|零售|批发|经销|分销|代理商|(?:在|通过|经)\S{0,10}销售|"
    r"主要(?:供应|供货|卖给|销往)|出口(?:到|至|量)"
)
MARKET_WEIGHT = 0.3


@dataclass
class DomainEvidence:
    """Why each candidate scored: the terms that fired and the classifier's probabilities."""

    terms: list[dict] = field(default_factory=list)
    rule_scores: dict[str, float] = field(default_factory=dict)
    model_scores: dict[str, float] = field(default_factory=dict)


class DomainRanker:
    """Ranks taxonomy categories for a text; the model is optional (rules alone without it)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.index = taxonomy.term_index()
        self.matcher = TermMatcher(self.index)
        self._sub_domain = {c.code: c.domain_code for c in taxonomy.categories}

    def _waste_spans(self, text: str, matches: Sequence[TermMatch]) -> list[tuple[int, int, float]]:
        """Weak spans around the waste terms (固废 category) of the text: see _MADE_INTO."""

        def is_waste(term: str) -> bool:
            codes = self.index.get(term, ())
            return bool(codes) and max(codes, key=lambda cw: cw[1])[0] == WASTE_CODE

        return _waste_spans_of(text, matches, is_waste)

    def match_terms(self, text: str, boundaries: set[int] | None = None) -> list[TermMatch]:
        """Taxonomy terms in the text, leftmost-longest.

        With token `boundaries` (character offsets where jieba tokens start or end), a short term must not cross
        one, so 化工 is not found inside 优化/工艺, while 光谱仪 inside the token 红外光谱仪 is; a one-character term
        must be a token of its own. Terms of four or more characters are trusted as they are.
        """
        if boundaries is None:
            return self.matcher.find(text)

        def accept(term: str, start: int, end: int) -> bool:
            return (
                len(term) >= SHORT_TERM
                or term.isascii()
                or (start in boundaries and end in boundaries)
                or (len(term) > 1 and not any(b in boundaries for b in range(start + 1, end)))
            )

        return self.matcher.find(text, accept)

    def rule_scores(
        self,
        matches: list[TermMatch],
        self_spans: Sequence[tuple[int, int]] = (),
        weak_spans: Sequence[tuple[int, int, float]] = (),
        text: str = "",
    ) -> tuple[dict[str, float], list[dict]]:
        """Summed keyword weight per category code (domain codes for domain-level cues); a term inside one of
        `self_spans` (where the enterprise describes itself) weighs less, and one inside a `weak_spans` entry
        (start, end, factor) is multiplied by its factor. A term repeated in one message counts once, where it
        weighs most."""
        best: dict[str, tuple[float, TermMatch]] = {}
        waste = 0.0
        for index, match in enumerate(matches):
            factor = 1.0 + 0.1 * min(len(match.term) - 2, 4) if len(match.term) > 2 else 1.0
            if match.term in GENERIC_HEADS and _after_specific(match, matches[:index], text):
                factor *= GENERIC_HEAD_WEIGHT
            elif (
                match.term in INSPECTION_MEANS
                and (match.term != "无人机" or _INSPECTING.match(text[match.end : match.end + 2]))
                and _after_specific(match, matches[:index], text)
            ):
                factor *= MODIFIER_WEIGHT
            if text and _WASTE_PREFIX.search(text[max(0, match.start - 3) : match.start]):
                waste = max(waste, factor)
                factor *= MODIFIER_WEIGHT
            if _within(match.start, self_spans):
                factor *= SELF_DESCRIPTION_WEIGHT
            for start, end, weak in weak_spans:
                if start <= match.start < end:
                    factor *= weak
            key = match.term.lower()
            if key not in best or factor > best[key][0]:
                best[key] = (factor, best[key][1] if key in best else match)
        scores: dict[str, float] = defaultdict(float)
        if waste:
            scores[WASTE_CODE] += waste
        fired = []
        for factor, match in sorted(best.values(), key=lambda fm: fm[1].start):
            for code, weight in self.index.get(match.term, ()):
                scores[code] += weight * factor
            fired.append(
                {
                    "term": match.term,
                    "start": match.start,
                    "end": match.end,
                    "codes": [c for c, _ in self.index[match.term]],
                }
            )
        return dict(scores), fired

    def rank(
        self,
        text: str,
        model_scores: dict[str, float] | None = None,
        top_k: int = 3,
        matches: list[TermMatch] | None = None,
    ) -> tuple[list[dict], DomainEvidence]:
        """Ranked [{"code","name","sub_code","sub_name","score"}] (best first) and the evidence behind it."""
        matches = self.match_terms(text) if matches is None else matches
        aside = [(m.start(), m.end()) for m in _ABOUT_ASSISTANT.finditer(text)]
        matches = [m for m in matches if not _within(m.start, aside)]
        self_spans = self_description_spans(text)
        weak = weak_spans(text, matches) + self._waste_spans(text, matches)
        raw, fired = self.rule_scores(matches, self_spans, weak, text)
        evidence = DomainEvidence(terms=fired, rule_scores=raw, model_scores=dict(model_scores or {}))
        if is_introduction(text, matches, self_spans):
            return [], evidence
        sub_scores: dict[str, float] = defaultdict(float)
        domain_scores: dict[str, float] = defaultdict(float)
        for code, score in raw.items():
            (sub_scores if len(code) == 3 else domain_scores)[code] += score
        # A domain-level cue supports that domain's categories a little and stands alone when none fired.
        for dcode, score in domain_scores.items():
            subs = [s for s in sub_scores if self._sub_domain.get(s) == dcode]
            for sub in subs:
                sub_scores[sub] += 0.5 * score
            if not subs:
                sub_scores[dcode] += DOMAIN_ONLY_DISCOUNT * score
        total_rule = sum(sub_scores.values())
        model = {k: v for k, v in (model_scores or {}).items() if k != NONE_LABEL}
        none_prob = (model_scores or {}).get(NONE_LABEL, 0.0)
        # Without a technical term, only a sure classifier on a real description of a need (not "还没定", not
        # "时间上不要超过今年年底") proposes a domain.
        model_only_ok = (
            model
            and max(model.values()) >= MIN_MODEL_SCORE
            and len(text) >= MIN_MODEL_ONLY_CHARS
            and _NEED_CUE.search(text) is not None
        )
        if total_rule < MIN_RULE_EVIDENCE and not model_only_ok:
            return [], evidence
        combined: dict[str, float] = {}
        strength = 1.0 - math.exp(-total_rule / 1.5)  # how sure the rules are that there is a domain at all
        rule_dist = {k: v / total_rule for k, v in sub_scores.items()} if total_rule else {}
        # Strong keyword evidence leads and the classifier breaks ties; with little evidence the classifier leads.
        rule_share = min(RULE_SHARE_MAX, max(RULE_SHARE_MIN, strength))
        for code in set(rule_dist) | set(model):
            r = rule_dist.get(code, 0.0) * strength
            m = model.get(code, 0.0)
            if len(code) == 2:  # a domain-level candidate takes the model's mass for its categories
                m = sum(v for k, v in model.items() if self._sub_domain.get(k) == code) * 0.5
            combined[code] = rule_share * r + (1 - rule_share) * m if model else r
        if model and total_rule < MIN_RULE_EVIDENCE and none_prob > max(model.values()):
            return [], evidence
        ranked = [
            {**entry, "score": round(min(1.0, score), 3)}
            for code, score in sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))
            if score > 0.01 and (entry := self.taxonomy.entry(code)) is not None
        ]
        return diversify(ranked, top_k), evidence


def _waste_spans_of(text: str, matches: Sequence[TermMatch], is_waste) -> list[tuple[int, int, float]]:
    spans: list[tuple[int, int, float]] = []
    for index, match in enumerate(matches):
        if not is_waste(match.term):
            continue
        if index and matches[index - 1].end == match.start and not is_waste(matches[index - 1].term):
            before = matches[index - 1]  # 陶瓷|抛光废渣: the word before the waste says whose waste it is
            spans.append((before.start, before.end, MODIFIER_WEIGHT))
        clause_end = min(
            (p for p in (text.find(c, match.end) for c in "，,。；;！!？?\n|") if p >= 0), default=len(text)
        )
        verb = _MADE_INTO.search(text, match.end, clause_end)
        if verb:
            spans.append((verb.start(), clause_end, MODIFIER_WEIGHT))
    return spans


def self_description_spans(text: str) -> list[tuple[int, int]]:
    """Character spans where the enterprise says what it is or makes (我们是做锂电池的, 主营阀门, XX有限公司)."""
    return [(m.start(), m.end()) for m in _SELF_DESCRIPTION.finditer(text)]


def weak_spans(text: str, matches: Sequence[TermMatch]) -> list[tuple[int, int, float]]:
    """Spans whose terms say less about the need: title modifiers (基于…的) and, when some clause asks for
    something technical, the clauses that ask for nothing."""
    spans = [(m.start(), m.end(), MODIFIER_WEIGHT) for m in _MODIFIER.finditer(text)]
    spans += [(m.start(), m.end(), MODIFIER_WEIGHT) for m in _BENEFICIARY.finditer(text)]
    spans += _for_use_spans(text, matches)
    spans += [(m.start(), m.end(), MODIFIER_WEIGHT) for m in _SOURCE_OF.finditer(text)]
    spans += [(m.start(), m.end(), MODIFIER_WEIGHT) for m in _MEANS.finditer(text)]
    spans += [(m.start(), m.end(), TITLE_FIELD_WEIGHT) for m in _TITLE_FIELD.finditer(text)]
    spans += [(m.start(), m.end(), CONTEXT_WEIGHT) for m in _BACKGROUND_FIELD.finditer(text)]
    spans += [(start, end, INSTITUTION_WEIGHT) for start, end in institution_spans(text)]
    parts = clauses(text)
    demanding = [
        (start, start + len(part))
        for start, part in parts
        if _DEMAND_CLAUSE.search(part) and any(start <= m.start < start + len(part) for m in matches)
    ]
    if demanding and len(parts) > 1:
        for start, part in parts:
            if (start, start + len(part)) in demanding:
                continue
            if _MARKET_CLAUSE.search(part):
                spans.append((start, start + len(part), MARKET_WEIGHT))
            elif _CONTEXT_CLAUSE.search(part):
                spans.append((start, start + len(part), CONTEXT_WEIGHT))
    return spans


def _for_use_spans(text: str, matches: Sequence[TermMatch]) -> list[tuple[int, int, float]]:
    """「半导体光刻胶用高纯树脂」「集成电路封装用环氧树脂」: when a term starts right after 用 and the clause has a term
    before it, the words before 用 say what the object (the term after it) is for. 采用, 使用, 应用 … are verbs."""
    starts = {m.start for m in matches}
    spans = []
    for use in _FOR_USE.finditer(text):
        if use.end() not in starts or text[use.start() - 1 : use.start()] in _USE_VERB_HEADS:
            continue
        clause_start = max(text.rfind(p, 0, use.start()) for p in "，,。；;！!？?\n|/【：:") + 1
        if any(clause_start <= m.start and m.end <= use.start() for m in matches):
            spans.append((clause_start, use.start(), MODIFIER_WEIGHT))
    return spans


def institution_spans(text: str) -> list[tuple[int, int]]:
    """Spans of university and institute names (华南农业大学, 中科院某研究所), whose words are not the need."""
    spans = []
    for match in _INSTITUTION.finditer(text):
        start = match.start()
        cut = _NAME_START.match(match.group())
        if cut:
            start += cut.end()
        if match.end() - start >= 4:
            spans.append((start, match.end()))
    return spans


def _after_specific(match: TermMatch, before: Sequence[TermMatch], text: str) -> bool:
    """True when another term sits earlier in the same clause (晶圆缺陷…系统开发)."""
    clause_start = max((text.rfind(p, 0, match.start) for p in "，,。；;！!？?\n|/【"), default=-1) + 1
    return any(m.start >= clause_start and m.term not in GENERIC_HEADS for m in before)


def _within(position: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def is_introduction(text: str, matches: list[TermMatch], spans: list[tuple[int, int]]) -> bool:
    """True for a message that only introduces the enterprise ("我们是一家做光伏支架的厂，在常州").

    Every technical term sits in a self-description (`spans`, from self_description_spans) and nothing outside
    them asks for anything.
    """
    if not spans:
        return False
    if any(not _within(m.start, spans) for m in matches):
        return False
    rest, last = [], 0
    for start, end in spans:
        rest.append(text[last:start])
        last = max(last, end)
    rest.append(text[last:])
    return not _NEED_CUE.search("".join(rest))


def diversify(ranked: list[dict], top_k: int) -> list[dict]:
    """The best candidate first, then the best of each other top-level domain, then the rest by score.

    The user confirms a domain among a few buttons: three categories of one domain would leave no way to pick a
    neighbouring domain, so different domains come before a second category of the same one.
    """
    chosen: list[dict] = []
    for candidate in ranked:
        if len(chosen) >= top_k:
            break
        if all(c["code"] != candidate["code"] for c in chosen):
            chosen.append(candidate)
    for candidate in ranked:
        if len(chosen) >= top_k:
            break
        if candidate not in chosen:
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: -c["score"])
