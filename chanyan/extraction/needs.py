"""Is there a technical need at all? Non-technical requests (financing, hiring, selling, subsidies) and
descriptions of what a lab or institute offers are told apart from needs, clause by clause.

A clause with a non-technical cue ("想贷个300万", "招两个嵌入式工程师") does not count as technical even when it
names a technology; a message is non-technical when it has such a clause and no clause that asks for something
technical (a technical term and a demand word in the same clause).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .matcher import TermMatch
from .textnorm import clauses

# Kind → cue; the first kind found in the message is reported.
NOT_TECHNICAL: tuple[tuple[str, re.Pattern], ...] = (
    (
        "financing",
        re.compile(
            r"贷款|贷个|贷点|借款|借钱|融资|募资|找投资|投资人|投资机构|天使投资|风投|出让\S{0,4}股权|上市辅导|券商|"
            r"想融|[A-C]轮|天使轮|过桥资金|流动资金|低息|低利|利率|并购|被收购|战略投资者|引入\S{0,6}投资|路演|创投"
        ),
    ),
    (
        "subsidy",
        re.compile(
            r"补贴|补助|奖励资金|奖补|(?<!温度)补偿(?!器|电容)|抵减|资助计划|科技基金|"
            r"申请(?:(?!流动|贷|借)\S){0,16}?(?:资金|基金|资助)(?!贷)|(?:专精特新|小巨人|瞪羚)\S{0,6}(?:认定|评定|评选)|怎么申报|如何申报|申报材料|能(?:不能|否)申报|可以申报|可否申报|申报条件|"
            r"加计扣除|税收优惠|减免税|退税|税前扣除|"
            r"申报\S{0,10}(?:专精特新|小巨人|瞪羚|单项冠军)|"
            r"(?:辅导|扶持|补助|资助|奖励|培育)(?:计划|项目)\S{0,12}(?:受理|申请|申报)|(?:什么时候|何时)\S{0,4}(?:开始)?受理"
        ),
    ),
    (
        "hiring",
        re.compile(
            r"招聘|招人|急招|招(?:一|两|三|几|个|些|名|批|募)\S{0,14}(?:工程师|人员|技术员|实习生|员工|博士|硕士|研究生|人才|师傅|"
            r"应届生|毕业生|工人|技工|操作工)|就业办|"
            r"诚征\S{0,20}(?:工程师|人员|技术员|研究员)|(?:征求|招收)\S{0,4}博士后|"
            r"人才引进|引进\S{0,6}人才|人才公寓|待遇从优|待遇优厚|"
            r"诚邀\S{0,30}?(?:总监|经理|主管|工程师|专家|人才|研究员)(?:加盟|加入)|推荐(?:的)?人选|推荐\S{0,14}(?:工程师|技术员|研究员|人才|员工)|候选人|猎头|面试|月薪|年薪|日薪|薪资|简历|履历"
        ),
    ),
    (
        "selling",
        re.compile(
            r"出售|卖掉|卖给|卖到|低价处理|处理掉|清仓|转手|甩卖|打包卖|便宜卖|出租|租出去|销路|找客户|谈代理|招代理|做代理|"
            r"有优惠|优惠价|特价|促销|代运营|(?:想|要|打算|准备)(?:在|到|去|通过)\S{0,10}?(?:上)?(?:卖|销售|开店)|"
            r"(?:合作|帮忙|帮我们|代为|代|一起)销售|"
            r"(?:想|要|怎么|如何|打算)(?:进|上|入驻|打进|铺进)(?:超市|商超|卖场)|"
            r"(?:对接|寻找|找|招募|发展|需要|招|诚招|诚征|征求)\S{0,10}?"
            r"(?:经销商|代理商|采购商|批发商|批发市场|分销商|经销伙伴|代理伙伴|渠道伙伴|经销合作伙伴)|"
            r"推销|推广我们的|(?:品牌|抖音|网络|线上|市场|产品)推广|推广合作|营销(?:策划|公司|推广|方案|团队)|策划公司|"
            r"(?:打造|做成|做个|做一个)\S{0,10}品牌|招商加盟|加盟(?:商|店|费|连锁)|招商(?!银行|局|证券)|"
            r"(?:找|寻找|需要|对接|征求|招募)\S{0,16}?(?:代工厂|代工|贴牌|代加工|加工厂|合伙人|加盟商)|(?:接|承接)\S{0,6}(?:外协|代工|加工)\S{0,4}订单|产能富余|"
            r"(?:二手|闲置|旧)\S{0,24}?(?:转让|出让)|(?:设备|机床|机器|生产线|仪器|机台|厂房)\S{0,12}(?:转让|出让)(?!\S{0,2}技术)|"
            r"代理\S{0,4}(?:品牌|产品)|回馈方案|签约即|赠送|"
            r"欢迎\S{0,12}(?:来电|洽询|来厂|考察|选购|订购|入驻)|转让\S{0,8}(?:公司|空壳)|有需要的\S{0,6}(?:联系|来|咨询|私信)|"
            r"(?:有|如有)\S{0,6}(?:采购|购买)需求的\S{0,6}(?:联系|咨询|来电|私信)"
        ),
    ),
)
# Context cues: words that also turn up in technical needs ("产品通过经销商进入商超", "批发价每斤4元", "有多年经验的
# 工程师", "库存管理靠Excel"). A clause with one is not a need by itself, but it still counts as technical when it
# asks for technical work.
CONTEXT_CUES: tuple[tuple[str, re.Pattern], ...] = (
    ("hiring", re.compile(r"(?:经验|学历)\S{0,12}(?:工程师|技术员|研究员)(?!\S{0,4}(?:指导|来|上门))")),
    (
        "selling",
        re.compile(
            r"库存|采购商|经销商|代理商|批发价|收购商|商超|通路|(?:进入|打开|拓展)\S{0,10}(?:渠道|市场)|"
            # 想找外省的渠道: a wish for a sales channel, not for technical work
            r"(?:找|寻找|开拓|拓展|铺|开发)\S{0,8}?渠道"
        ),
    ),
)
# A cue followed by what a system handles is the topic of a technical need: 库存预警, 经销商管理系统, 销量预测.
_TOPIC_AFTER_CUE = re.compile(
    r"^\S{0,6}?(?:管理|预警|预测|系统|平台|软件|小程序|APP|app|数据|盘点|模型|算法|追溯)"
)
# Research work named without a taxonomy term: 改进面皮配方, 开发封口膜材料, 优化注塑工艺参数.
_RESEARCH = re.compile(
    r"(?:研发|研制|开发|攻关|改进|改良|优化|提升|降低|解决|改善|设计)\S{0,12}?"
    r"(?:技术|工艺|方案|配方|系统|设备|装置|材料|算法|模型|结构|方法|性能|模块|芯片|传感器|样机|器件|软件)"
)


# What a hiring notice asks of a candidate ("要求有催化材料研究背景", "熟悉PLC编程者优先"): no technical work.
_QUALIFICATION = re.compile(
    r"(?:要求|具备|具有|熟悉|精通|掌握)\S{0,20}(?:背景|经验|能力|学历|专业|资格|证书)|(?:背景|经验|学历)\S{0,2}优先"
)
# Paperwork of an application ("需要准备哪些材料", "提交什么资料"): 材料 there is documents, not a material.
_PAPERWORK = re.compile(r"(?:准备|提交|整理|填写|上传|递交)\S{0,4}(?:材料|资料|手续|文件|表格)")
# A clause that asks for technical work: a demand or a research verb.
_DEMAND = re.compile(
    r"想|需要|希望|寻求|寻找|征集|征求|求解|诚征|攻关|开发|研发|研制|研究|解决|提升|提高|降低|减少|优化|改进|改善|"
    r"改造|升级|替代|设计|建设|建立|搭建|实现|导入|引入|突破|合作|联合|共建|委托|定制|推动|检测|监测|处理|回收|治理|"
    r"修复|选育|制备|防治|诊断|评估"
)
# A research verb used as an attribute says what was done, not what is wanted: 自主研发的水质检测仪, 新研制的刀盘.
_ATTRIBUTIVE = re.compile(
    r"(?:自主|自行|独立|新|最新|刚|已经?)?(?:研发|研制|开发|设计|生产|改进|升级)(?:出来)?的"
)
# A clause about what is already done (已量产, 已经上市) asks for nothing unless it also says a wish.
_DONE = re.compile(r"已(?:经)?(?:量产|上市|投产|批量|推向市场|出口|销往|卖到|推出|获得|通过|完成|实现|取得)")
_WISH = re.compile(r"想|希望|需要|寻求|寻找|求|急需|拟|计划|打算|准备")
# 刚完成A轮融资, 去年获得贷款: a request of the past is the enterprise's background, not what it asks for now.
_DONE_REQUEST = re.compile(
    r"(?:刚|已|已经|去年|上月|上个月|今年|此前|曾)\S{0,3}(?:完成|获得|拿到|获|落地|招到)"
)


# 想买一套…, 打算购置…: buying equipment beside a question about subsidies or loans is not technical work.
_PURCHASE = re.compile(r"(?:想|要|打算|准备|计划)(?:买|购买|购置|采购|添置)")


# 总部提供门店设计, 可提供试产线配合: what the writer offers, not what they ask for.
_OFFER = re.compile(r"^\S{0,12}?提供")
_ASKED_TO_PROVIDE = re.compile(r"请|需|要求")


def _asking(clause: str, beside_strong: bool = False) -> str:
    """The clause as far as it may ask for technical work: attributive research verbs removed, nothing of a
    clause that reports what is done or offers something, nor (beside a non-technical request) of one that only
    buys something."""
    if _DONE.search(clause) and not _WISH.search(clause):
        return ""
    if _OFFER.search(clause) and not _WISH.search(clause) and not _ASKED_TO_PROVIDE.search(clause):
        return ""
    if beside_strong and _PURCHASE.search(clause) and not _RESEARCH.search(clause):
        return ""
    return _ATTRIBUTIVE.sub("", clause)


# Who speaks when a lab, a team or an institute describes itself.
_SUPPLY_SUBJECT = re.compile(
    r"实验室|研究所|研究院|研究中心|工程中心|技术中心|课题组|团队|本所|本中心|本院|我院|本校|我校|检测机构|研发机构|"
    r"该所|该院|该中心|该校|该团队|学院|系所|"
    r"(?:我们|本公司|我司|公司|本厂|我厂)(?:是|为)(?:一家|一间|专业|国内|全球|业内)|^(?:本|该)?(?:中心|平台|基地)|"
    r"(?:大学|学院|高校)\S{0,8}(?:系|所|院|中心)"
)
_SUPPLY_VERB = re.compile(
    r"从事|专注|聚焦|致力|研究方向|主要研究|主要方向|擅长|专长|拥有|具备|建有|设有|积累|承担|承接|提供|依托|可对外|"
    r"简介|研究范畴|研究范围|主要做|成立于|现有|已为|已在|已与|已孵化|累计|发表|授权|取得|长期|"
    r"下设|获批|入选|培养|开设|服务客户|客户涵盖|涵盖|服务超过|服务了|已出口|出口到|"
    r"(?:围绕|面向)\S{0,20}开展|是\S{0,14}(?:机构|中心|实验室|研究所|研究院|平台|团队)"
)
# Words that make a message about a lab a need or a cooperation event after all.
_SUPPLY_DEMAND = re.compile(
    r"想|需要|希望|寻求|寻找|征集|征求|求解|诚征|难题|痛点|困扰|急需|拟|打算|准备|将(?:与|围绕|联合|共同|对)|"
    r"签约|签署|签订|达成|揭榜|委托(?!课题|计划|研究|开发|检测|测试|加工)|请\S{0,10}(?:提供|帮|协助|解决)|招标|采购|(?<!公)共建(?!的)|携手|联合攻关|帮助企业|预算|问题"
)


def _cue(patterns: tuple[tuple[str, re.Pattern], ...], clause: str) -> tuple[int, str, str] | None:
    """The leftmost cue of `patterns` in the clause as (start, kind, text), skipping a cue that names a system's
    topic (库存预警)."""
    found = None
    for kind, pattern in patterns:
        for hit in pattern.finditer(clause):
            if _TOPIC_AFTER_CUE.match(clause[hit.end() :]):
                continue
            if found is None or hit.start() < found[0]:
                found = (hit.start(), kind, hit.group())
            break
    return found


def not_technical(text: str, matches: Sequence[TermMatch]) -> dict | None:
    """{"kind": financing | subsidy | hiring | selling, "start", "end": the cue's span} for a request that asks
    for no technical work, else None. `matches` are the taxonomy terms found in `text` (offsets into it)."""
    strong: tuple[int, str, str] | None = None
    context: tuple[int, str, str] | None = None
    technical = rest_term = rest_demand = False
    parts = clauses(text)
    any_strong = any(
        _cue(NOT_TECHNICAL, clause) is not None
        and not (_DONE_REQUEST.search(clause) and not _WISH.search(clause))
        for _, clause in parts
    )
    for offset, clause in parts:
        found = _cue(NOT_TECHNICAL, clause)
        if found is not None and _DONE_REQUEST.search(clause) and not _WISH.search(clause):
            context = context or (offset + found[0], found[1], found[2])
            continue
        if found is not None:
            strong = strong or (offset + found[0], found[1], found[2])
            continue
        found = _cue(CONTEXT_CUES, clause)
        if found is not None:
            context = context or (offset + found[0], found[1], found[2])
        if _QUALIFICATION.search(clause) or _PAPERWORK.search(clause):
            continue
        has_term = any(offset <= m.start < offset + len(clause) for m in matches)
        asking = _asking(clause, any_strong)
        demand = _DEMAND.search(asking) is not None
        # Beside a market cue, the wish may be the market's ("需要找渠道推广"): only research work counts there.
        if (has_term and demand and found is None) or _RESEARCH.search(asking):
            technical = True
        if found is None:
            rest_term, rest_demand = rest_term or has_term, rest_demand or demand
    # Beside a context cue only, a term in one clause and a wish in another make a need ("减速机异响…，希望请高校…").
    if strong is None and rest_term and rest_demand:
        technical = True
    first = strong or context
    if first is None or technical:
        return None
    return {"kind": first[1], "start": first[0], "end": first[0] + len(first[2])}


def is_supply_description(text: str) -> bool:
    """True for a lab, team or institute describing what it does or offers, with nothing asked for
    ("本实验室专注于影像识别研究…", "团队长期从事垃圾焚烧烟气净化技术研究")."""
    head = text[:40]
    return bool(
        _SUPPLY_SUBJECT.search(head) and _SUPPLY_VERB.search(text) and not _SUPPLY_DEMAND.search(text)
    )
