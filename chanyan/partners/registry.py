"""The registry's use cases: import a file, add and edit an entry (audited), list, show and export.

Functions that take a session leave the transaction to the caller; `import_file` opens its own, one for the whole
file, so an import is written completely or not at all. Every change bumps the registry version in the same
transaction (see chanyan.partners.index).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chanyan.partners.analysis import Analyzer, get_analyzer, simplified_converter
from chanyan.partners.entries import EntryError, Taxonomy, clean_entry
from chanyan.partners.readers import SourceFile, read_file
from chanyan.partners.regions import region_label
from chanyan.partners.vocabulary import COLUMN_LABELS, COLUMN_NAMES
from chanyan.store.models.base import utcnow
from chanyan.store.models.partners import Partner, PartnerAudit, RegistryState

IMPORT_ACTOR = "import"
TAGGED_DOMAINS = 2  # the extractor's best categories kept for an entry that gives none
TAG_MIN_SHARE = 0.5  # a second category is kept when it scores at least this share of the first
# Content columns compared on re-import and recorded by the audit.
CONTENT_FIELDS: tuple[str, ...] = (
    "name",
    "kind",
    "parent",
    "province",
    "city",
    "capability",
    "achievements",
    "domains",
    "keywords",
    "contact_name",
    "contact_phone",
    "contact_email",
    "url",
    "source",
    "reviewed_at",
)
Tagger = Callable[[str], list[dict]]


class PartnerNotFound(LookupError):
    """No registry entry has this id."""


class DuplicatePartner(ValueError):
    """Another entry already has this name and kind."""


@dataclass
class RowProblem:
    """A row that was not imported: its number in the file and why."""

    row: int
    reasons: list[str]
    name: str | None = None

    def __str__(self) -> str:
        label = f"（{self.name}）" if self.name else ""
        return f"第 {self.row} 行{label}：{'；'.join(self.reasons)}"


@dataclass
class ImportReport:
    """What an import did, row by row where something was wrong."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    written: bool = False
    skip_invalid: bool = False

    @property
    def skipped(self) -> int:
        return len(self.problems) if self.written else 0

    def summary(self) -> str:
        """One line in Chinese."""
        if not self.written:
            return f"未导入：{len(self.problems)} 行有误（共 {self.rows} 行）。修正后重新导入，或使用 --skip-invalid 跳过有误的行。"
        text = f"已导入 {self.rows - self.skipped} 行：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        if self.skipped:
            text += f"；跳过有误的 {self.skipped} 行"
        return text + "。"

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "written": self.written,
            "problems": [{"row": p.row, "name": p.name, "reasons": p.reasons} for p in self.problems],
            "unknown_headers": self.unknown_headers,
        }


# --- the stored shape ---------------------------------------------------------------------------------------


def default_tagger() -> Tagger:
    """Domains from text with the extraction module (the per-process extractor)."""
    from chanyan.extraction import get_extractor

    extractor = get_extractor()
    return lambda text: extractor.rank_domains(text, top_k=TAGGED_DOMAINS)


def default_taxonomy() -> Taxonomy:
    from chanyan.extraction import get_extractor

    return get_extractor().taxonomy


def tag_domains(text: str, tagger: Tagger) -> list[dict]:
    """The categories the extractor sees in an entry's text: the best, and the next when nearly as good."""
    ranked = tagger(text)
    if not ranked:
        return []
    best = float(ranked[0].get("score") or 0.0)
    kept = [r for i, r in enumerate(ranked) if i == 0 or float(r.get("score") or 0.0) >= TAG_MIN_SHARE * best]
    return [{"code": r["code"], "sub_code": r.get("sub_code")} for r in kept]


def analysis_text(values: Mapping[str, Any]) -> str:
    """The text of an entry the matcher reads: name, parent, capability, achievements, keywords."""
    parts = [values.get(k) or "" for k in ("name", "parent", "capability", "achievements")]
    parts.append(" ".join(values.get("keywords") or ()))
    return "\n".join(p for p in parts if p)


def search_text(values: Mapping[str, Any], analyzer: Analyzer) -> str:
    """Console search text: NFKC, lower case, and a simplified copy when the entry is in traditional script."""
    parts = [
        values.get(k) or "" for k in ("name", "parent", "capability", "achievements", "province", "city")
    ]
    parts.extend(values.get("keywords") or ())
    plain = unicodedata.normalize("NFKC", "\n".join(p for p in parts if p)).lower()
    simple = analyzer.prepare(plain)
    return plain if simple == plain else f"{plain}\n{simple}"


def stored_values(
    entry: Mapping[str, Any], analyzer: Analyzer, tagger: Tagger | None, domains_tagged: bool = False
) -> dict[str, Any]:
    """Column values of a cleaned entry, with domains tagged when absent and the matcher's tokens."""
    values = {k: entry.get(k) for k in CONTENT_FIELDS if k not in ("province", "city")}
    region = entry.get("region") or {}
    values["province"], values["city"] = region.get("province"), region.get("city")
    values["domains"] = list(entry.get("domains") or [])
    values["keywords"] = list(entry.get("keywords") or [])
    values["domains_tagged"] = domains_tagged
    if not values["domains"] and tagger is not None:
        values["domains"] = tag_domains(analysis_text(values), tagger)
        values["domains_tagged"] = True
    codes = dict.fromkeys(c for d in values["domains"] for c in (d.get("code"), d.get("sub_code")) if c)
    values["domain_codes"] = f" {' '.join(codes)} " if codes else None
    values["tokens"] = " ".join(analyzer.tokens(analysis_text(values)))
    values["tokens_fingerprint"] = analyzer.fingerprint
    values["search_text"] = search_text(values, analyzer)
    return values


def bump_version(session: Session) -> int:
    """Count a registry change (same transaction as the change); returns the new version."""
    state = session.get(RegistryState, 1, with_for_update=True)
    if state is None:
        state = RegistryState(id=1, version=0)
        session.add(state)
    state.version = (state.version or 0) + 1
    state.updated_at = utcnow()
    session.flush()
    return state.version


def registry_version(session: Session) -> int:
    """The current registry version (0 for a registry never written)."""
    return (
        session.execute(select(RegistryState.version).where(RegistryState.id == 1)).scalar_one_or_none() or 0
    )


def _audit_value(value: Any) -> str | None:
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _changes(partner: Partner, values: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    return [
        (name, getattr(partner, name), values[name])
        for name in CONTENT_FIELDS
        if name in values and _audit_value(getattr(partner, name)) != _audit_value(values[name])
    ]


def _apply(session: Session, partner: Partner, values: Mapping[str, Any], actor: str, action: str) -> bool:
    """Write `values` onto an existing entry with one audit row per changed field; False when nothing changed."""
    changes = _changes(partner, values)
    if not changes:
        return False
    for name, old, new in changes:
        session.add(
            PartnerAudit(
                partner_id=partner.id,
                actor=actor,
                action=action,
                field=name,
                old_value=_audit_value(old),
                new_value=_audit_value(new),
            )
        )
    for name, value in values.items():
        setattr(partner, name, value)
    partner.updated_by = actor
    return True


# --- import ---------------------------------------------------------------------------------------------------


def check_rows(source: SourceFile, taxonomy: Taxonomy) -> tuple[list[tuple[int, dict]], list[RowProblem]]:
    """Cleaned entries with their row numbers, and the rows that cannot be imported (duplicates included)."""
    good: list[tuple[int, dict]] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for row in source.rows:
        name = str(row.values.get("name") or "").strip() or None
        if row.error:
            problems.append(RowProblem(row.number, [row.error]))
            continue
        try:
            entry = clean_entry(row.values, taxonomy)
        except EntryError as err:
            problems.append(RowProblem(row.number, err.reasons, name))
            continue
        key = (entry["name"], entry["kind"])
        if key in seen:
            problems.append(RowProblem(row.number, [f"与第 {seen[key]} 行的名称和类型相同"], name))
            continue
        seen[key] = row.number
        good.append((row.number, entry))
    return good, problems


def import_entries(
    session: Session,
    entries: Sequence[Mapping[str, Any]],
    *,
    actor: str = IMPORT_ACTOR,
    analyzer: Analyzer | None = None,
    tagger: Tagger | None = None,
) -> tuple[int, int, int]:
    """Upsert cleaned entries by (name, kind) in the caller's transaction: (created, updated, unchanged)."""
    analyzer = analyzer or get_analyzer()
    tagger = tagger or default_tagger()
    existing = {
        (name, kind): pid
        for pid, name, kind in session.execute(select(Partner.id, Partner.name, Partner.kind))
    }
    created = updated = unchanged = 0
    new_rows: list[dict] = []
    now = utcnow()
    for entry in entries:
        values = stored_values(entry, analyzer, tagger)
        pid = existing.get((entry["name"], entry["kind"]))
        if pid is None:
            new_rows.append(
                {**values, "created_at": now, "updated_at": now, "created_by": actor, "updated_by": actor}
            )
            created += 1
            continue
        partner = session.get(Partner, pid)
        if _apply(session, partner, values, actor, "import"):
            updated += 1
        else:
            unchanged += 1
            if partner.tokens_fingerprint != values["tokens_fingerprint"]:
                partner.tokens, partner.tokens_fingerprint = values["tokens"], values["tokens_fingerprint"]
    for start in range(0, len(new_rows), 1000):
        session.execute(Partner.__table__.insert(), new_rows[start : start + 1000])
    if created or updated:
        bump_version(session)
    return created, updated, unchanged


def import_file(
    session_factory,
    path: Path | str,
    *,
    data: bytes | None = None,
    skip_invalid: bool = False,
    actor: str = IMPORT_ACTOR,
    analyzer: Analyzer | None = None,
    tagger: Tagger | None = None,
    taxonomy: Taxonomy | None = None,
) -> ImportReport:
    """Import a .jsonl, .csv or .xlsx file (or the bytes of an upload named `path`) in one transaction.

    Nothing is written when a row is bad, unless `skip_invalid`; raises readers.ImportFileError when the file
    as a whole cannot be read.
    """
    source = read_file(path, data)
    good, problems = check_rows(source, taxonomy or default_taxonomy())
    report = ImportReport(
        rows=len(source.rows),
        problems=problems,
        unknown_headers=source.unknown_headers,
        skip_invalid=skip_invalid,
    )
    if problems and not skip_invalid:
        return report
    with session_factory() as session, session.begin():
        report.created, report.updated, report.unchanged = import_entries(
            session, [entry for _, entry in good], actor=actor, analyzer=analyzer, tagger=tagger
        )
    report.written = True
    return report


# --- one entry ------------------------------------------------------------------------------------------------


def get_partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, int(partner_id))
    if partner is None:
        raise PartnerNotFound(partner_id)
    return partner


def create_partner(
    session: Session,
    raw: Mapping[str, Any],
    actor: str,
    *,
    analyzer: Analyzer | None = None,
    tagger: Tagger | None = None,
    taxonomy: Taxonomy | None = None,
) -> Partner:
    """Add one entry from a form or the API; raises EntryError or DuplicatePartner."""
    entry = clean_entry(raw, taxonomy or default_taxonomy())
    _refuse_duplicate(session, entry["name"], entry["kind"])
    values = stored_values(entry, analyzer or get_analyzer(), tagger or default_tagger())
    partner = Partner(**values, created_by=actor, updated_by=actor)
    session.add(partner)
    session.flush()
    session.add(PartnerAudit(partner_id=partner.id, actor=actor, action="create", new_value=partner.name))
    bump_version(session)
    return partner


def update_partner(
    session: Session,
    partner_id: int,
    raw: Mapping[str, Any],
    actor: str,
    *,
    analyzer: Analyzer | None = None,
    tagger: Tagger | None = None,
    taxonomy: Taxonomy | None = None,
) -> tuple[Partner, bool]:
    """Edit one entry (every changed field audited); returns it and whether anything changed."""
    partner = get_partner(session, partner_id)
    entry = clean_entry(raw, taxonomy or default_taxonomy())
    if (entry["name"], entry["kind"]) != (partner.name, partner.kind):
        _refuse_duplicate(session, entry["name"], entry["kind"], partner.id)
    values = stored_values(entry, analyzer or get_analyzer(), tagger or default_tagger())
    changed = _apply(session, partner, values, actor, "edit")
    if changed:
        bump_version(session)
    return partner, changed


def _refuse_duplicate(session: Session, name: str, kind: str, own_id: int | None = None) -> None:
    query = select(Partner.id).where(Partner.name == name, Partner.kind == kind)
    found = session.execute(query).scalar_one_or_none()
    if found is not None and found != own_id:
        raise DuplicatePartner(f"资源库中已有同名同类型的条目：{name}（{kind}）。")


def partner_history(session: Session, partner_id: int) -> list[PartnerAudit]:
    return list(
        session.execute(
            select(PartnerAudit).where(PartnerAudit.partner_id == partner_id).order_by(PartnerAudit.id.desc())
        ).scalars()
    )


# --- lists and exports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerFilters:
    """Filters of the registry list, its export and /api/partners (unknown values are ignored)."""

    q: str = ""
    kind: str = ""
    province: str = ""
    domain: str = ""  # a domain or category code

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PartnerFilters:
        return cls(
            q=str(query.get("q", "")).strip()[:200],
            kind=str(query.get("kind", "")).strip()[:16],
            province=str(query.get("region", query.get("province", ""))).strip()[:32],
            domain=str(query.get("domain", "")).strip()[:8],
        )

    def to_query(self) -> dict[str, str]:
        values = {"q": self.q, "kind": self.kind, "region": self.province, "domain": self.domain}
        return {k: v for k, v in values.items() if v}


def _filtered(query, filters: PartnerFilters, terms: Sequence[str]):
    if filters.kind:
        query = query.where(Partner.kind == filters.kind)
    if filters.province:
        query = query.where(Partner.province == filters.province)
    if filters.domain and filters.domain.isdigit():
        query = query.where(Partner.domain_codes.like(f"% {filters.domain} %"))
    for term in terms:
        query = query.where(Partner.search_text.like(f"%{_escape_like(term)}%", escape="\\"))
    return query


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(q: str) -> list[str]:
    """The words of a registry search: whitespace-separated, NFKC, lower case, simplified (each must occur)."""
    text = simplified_converter()(unicodedata.normalize("NFKC", q or "").lower())
    return [t for t in text.split() if t][:8]


def list_partners(
    session: Session,
    filters: PartnerFilters,
    *,
    limit: int | None = 50,
    offset: int = 0,
) -> tuple[list[Partner], int]:
    """A page of entries (name order) and the number matching the filters."""
    terms = search_terms(filters.q)
    total = session.execute(_filtered(select(func.count(Partner.id)), filters, terms)).scalar_one()
    query = _filtered(select(Partner), filters, terms).order_by(Partner.name, Partner.id).offset(offset)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars()), total


def iter_partners(session: Session, filters: PartnerFilters | None = None) -> Iterator[Partner]:
    """Every entry matching the filters, in id order (for export)."""
    filters = filters or PartnerFilters()
    query = _filtered(select(Partner), filters, search_terms(filters.q)).order_by(Partner.id)
    yield from session.execute(query.execution_options(yield_per=1000)).scalars()


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Kinds and provinces present in the registry (for the list's filters)."""
    kinds = session.execute(select(Partner.kind).distinct()).scalars()
    provinces = session.execute(
        select(Partner.province).where(Partner.province.is_not(None)).distinct()
    ).scalars()
    return {"kinds": sorted(kinds), "provinces": sorted(provinces)}


def partner_record(partner: Partner) -> dict[str, Any]:
    """design.md's registry entry, JSON-serializable (also what /api/partners returns)."""
    return {
        "id": partner.id,
        "name": partner.name,
        "kind": partner.kind,
        "parent": partner.parent,
        "region": {"province": partner.province, "city": partner.city},
        "capability": partner.capability,
        "achievements": partner.achievements,
        "domains": list(partner.domains or []),
        "domains_tagged": bool(partner.domains_tagged),
        "keywords": list(partner.keywords or []),
        "contact": {
            "name": partner.contact_name,
            "phone": partner.contact_phone,
            "email": partner.contact_email,
        },
        "url": partner.url,
        "source": partner.source,
        "reviewed_at": partner.reviewed_at.isoformat() if partner.reviewed_at else None,
    }


def export_row(partner: Partner) -> dict[str, Any]:
    """One row of the .csv/.xlsx export: the import columns, so an export can be imported again."""
    return export_row_from_record(partner_record(partner))


def export_row_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The import columns of a partner record, as text (also the console's edit form)."""
    return {
        "name": record["name"],
        "kind": record["kind"],
        "parent": record["parent"] or "",
        "region": region_label(record["region"]),
        "capability": record["capability"],
        "achievements": record["achievements"] or "",
        "domains": "；".join(d.get("sub_code") or d["code"] for d in record["domains"]),
        "keywords": "、".join(record["keywords"]),
        "contact_name": record["contact"]["name"] or "",
        "contact_phone": record["contact"]["phone"] or "",
        "contact_email": record["contact"]["email"] or "",
        "url": record["url"] or "",
        "source": record["source"] or "",
        "reviewed_at": record["reviewed_at"] or "",
    }


EXPORT_HEADERS: tuple[str, ...] = tuple(COLUMN_LABELS[c] for c in COLUMN_NAMES)


def touch_tokens(session: Session, rows: Sequence[tuple[int, str]], fingerprint: str) -> None:
    """Store tokens re-cut after the analysis changed (not a registry change: the version stays)."""
    for pid, tokens in rows:
        session.execute(
            update(Partner).where(Partner.id == pid).values(tokens=tokens, tokens_fingerprint=fingerprint)
        )
