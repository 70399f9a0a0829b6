"""The registry's closed vocabularies: entry kinds, candidate stages, import columns and their Chinese headers.

One home for these names: the import, the console, the CLI, the matcher and the tests all read them from here.
"""

from __future__ import annotations

# 合作资源库 entry kinds. The first four are institutions; labs, teams and experts usually name a parent.
INSTITUTION_KINDS: tuple[str, ...] = ("高校", "科研院所", "企业研发中心", "新型研发机构")
KINDS: tuple[str, ...] = (*INSTITUTION_KINDS, "实验室", "团队", "专家")

# Other ways an import file writes a kind → the canonical kind.
KIND_ALIASES: dict[str, str] = {
    "大学": "高校",
    "学院": "高校",
    "高等院校": "高校",
    "university": "高校",
    "院所": "科研院所",
    "研究院": "科研院所",
    "研究所": "科研院所",
    "科研机构": "科研院所",
    "institute": "科研院所",
    "企业技术中心": "企业研发中心",
    "研发中心": "企业研发中心",
    "新研机构": "新型研发机构",
    "重点实验室": "实验室",
    "lab": "实验室",
    "laboratory": "实验室",
    "课题组": "团队",
    "研究团队": "团队",
    "team": "团队",
    "教授": "专家",
    "研究员": "专家",
    "expert": "专家",
}

# The partner types an enterprise states (chanyan.domain.schema PARTNER_TYPES) → the kinds that satisfy them.
PREFERENCE_KINDS: dict[str, tuple[str, ...]] = {
    "高校": ("高校",),
    "科研院所": ("科研院所", "新型研发机构"),
    "企业": ("企业研发中心",),
}
# A lab, team or expert takes the type of its parent institution, told by the parent's name.
PARENT_NAME_TYPES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("大学", "学院", "学校"), "高校"),
    (("研究院", "研究所", "科学院", "研究中心", "研究总院"), "科研院所"),
    (("公司", "集团", "企业"), "企业"),
)

# Candidate stages on a request: 候选 → 已联系 → 有意向 | 已婉拒 → 已签约.
STAGES: tuple[str, ...] = ("候选", "已联系", "有意向", "已婉拒", "已签约")
FIRST_STAGE = "候选"
INTERESTED_STAGE = "有意向"
DECLINED_STAGE = "已婉拒"
SIGNED_STAGE = "已签约"
STAGE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "候选": ("已联系", "已婉拒"),
    "已联系": ("有意向", "已婉拒", "候选"),
    "有意向": ("已签约", "已婉拒", "已联系"),
    "已婉拒": ("候选",),
    "已签约": (),
}
# Staff confirm a candidate by taking it past 候选: the request is then matched.
CONFIRMED_STAGES: frozenset[str] = frozenset({"已联系", "有意向", "已签约"})

# Import and export columns (design.md) with their Chinese headers; the first Chinese header is the export's.
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("name", ("名称", "单位名称", "机构名称")),
    ("kind", ("类型", "机构类型")),
    ("parent", ("所属单位", "上级单位", "依托单位")),
    ("region", ("地区", "所在地区", "所在地")),
    ("capability", ("能力简介", "研究方向", "研究方向、能力简介", "简介")),
    ("achievements", ("代表成果", "成果")),
    ("domains", ("领域", "技术领域", "所属领域")),
    ("keywords", ("关键词",)),
    ("contact_name", ("联系人",)),
    ("contact_phone", ("电话", "联系电话", "手机")),
    ("contact_email", ("邮箱", "电子邮箱", "邮件")),
    ("url", ("网址", "网站", "主页")),
    ("source", ("来源", "数据来源")),
    ("reviewed_at", ("审核日期", "核实日期", "更新日期")),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
COLUMN_LABELS: dict[str, str] = {name: labels[0] for name, labels in COLUMNS}
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "capability")
# A file's header cell → our column name (English names any case; Chinese as listed).
HEADERS: dict[str, str] = {
    **{name: name for name in COLUMN_NAMES},
    **{label: name for name, labels in COLUMNS for label in labels},
}

# Limits of a registry entry's fields (characters).
MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "parent": 200,
    "capability": 4000,
    "achievements": 4000,
    "contact_name": 100,
    "contact_phone": 40,
    "contact_email": 254,
    "url": 500,
    "source": 200,
}
MAX_ENTRY_KEYWORDS = 20  # a registry entry's keywords (a request keeps domain.schema.MAX_KEYWORDS)
MAX_DOMAINS = 6

# Candidates per need: shown by default, and at most.
DEFAULT_TOP_K = 10
MAX_TOP_K = 100
