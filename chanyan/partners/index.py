"""The per-process match index, kept fresh without a restart.

Every registry change bumps a version counter in the same transaction (registry.bump_version). Before each match
a process reads that one row; when it differs from the version its index was built at, the index is rebuilt
from the stored tokens (no text is cut again unless the analysis itself changed). A small registry is rebuilt
on the spot; a large one is rebuilt in the background while the previous index keeps answering, so a change is
seen by every process (console, action servers, CLI) within seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from chanyan.partners.analysis import Analyzer, get_analyzer
from chanyan.partners.matcher import PartnerDoc, PartnerMatcher
from chanyan.partners.registry import analysis_text, registry_version, touch_tokens
from chanyan.store.models.partners import Partner

log = logging.getLogger(__name__)

# Up to this many entries the index is rebuilt before answering; above it, in the background.
SYNC_REBUILD_LIMIT = 20_000
LOAD_BATCH = 5_000


def load_docs(session: Session, analyzer: Analyzer) -> list[PartnerDoc]:
    """Every entry as the matcher sees it; tokens cut by an older analysis are cut again (and stored)."""
    columns = (
        Partner.id,
        Partner.name,
        Partner.kind,
        Partner.parent,
        Partner.province,
        Partner.city,
        Partner.domains,
        Partner.tokens,
        Partner.tokens_fingerprint,
    )
    docs: list[PartnerDoc] = []
    stale: list[int] = []
    rows = session.execute(select(*columns).order_by(Partner.id).execution_options(yield_per=LOAD_BATCH))
    for pid, name, kind, parent, province, city, domains, tokens, fingerprint in rows:
        if fingerprint != analyzer.fingerprint or tokens is None:
            stale.append(len(docs))
        docs.append(
            PartnerDoc(
                id=pid,
                name=name,
                kind=kind,
                parent=parent,
                province=province,
                city=city,
                domains=tuple((d.get("code"), d.get("sub_code")) for d in domains or () if d.get("code")),
                tokens=tuple((tokens or "").split()),
            )
        )
    if stale:
        docs = _recut(session, docs, stale, analyzer)
    return docs


def _recut(
    session: Session, docs: list[PartnerDoc], stale: list[int], analyzer: Analyzer
) -> list[PartnerDoc]:
    log.info("re-cutting the tokens of %d registry entries (the analysis changed)", len(stale))
    fresh: list[tuple[int, str]] = []
    for position in stale:
        doc = docs[position]
        partner = session.get(Partner, doc.id)
        values = {
            "name": partner.name,
            "parent": partner.parent,
            "capability": partner.capability,
            "achievements": partner.achievements,
            "keywords": partner.keywords,
        }
        tokens = analyzer.tokens(analysis_text(values))
        fresh.append((doc.id, " ".join(tokens)))
        docs[position] = PartnerDoc(**{**doc.__dict__, "tokens": tuple(tokens)})
    touch_tokens(session, fresh, analyzer.fingerprint)
    return docs


class MatchIndex:
    """The current PartnerMatcher of this process for one database."""

    def __init__(self, session_factory, analyzer: Callable[[], Analyzer] = get_analyzer) -> None:
        self._session_factory = session_factory
        self._analyzer = analyzer
        self._matcher: PartnerMatcher | None = None
        self._lock = threading.Lock()
        self._building: int | None = None  # the version a background rebuild is working on
        self.last_build_seconds: float | None = None

    def current(self) -> PartnerMatcher:
        """The matcher for the registry as it is now (or, for a large registry, while it is being rebuilt, as
        it was a moment ago)."""
        with self._session_factory() as session:
            version = registry_version(session)
        matcher = self._matcher
        if matcher is not None and matcher.version == version:
            return matcher
        if matcher is not None and len(matcher) > SYNC_REBUILD_LIMIT:
            self._rebuild_in_background(version)
            return matcher
        with self._lock:
            if self._matcher is None or self._matcher.version != version:
                self._matcher = self._build()
            return self._matcher

    def _build(self) -> PartnerMatcher:
        started = time.perf_counter()
        analyzer = self._analyzer()
        with self._session_factory() as session, session.begin():
            # Read the version and the rows in one transaction: a change committed meanwhile bumps the version
            # again and triggers the next rebuild.
            version = registry_version(session)
            docs = load_docs(session, analyzer)
        matcher = PartnerMatcher(docs, analyzer, version=version)
        self.last_build_seconds = time.perf_counter() - started
        log.info(
            "match index built: %d entries, version %s, %.2f s", len(docs), version, self.last_build_seconds
        )
        return matcher

    def _rebuild_in_background(self, version: int) -> None:
        with self._lock:
            if self._building is not None:
                return
            self._building = version

        def work() -> None:
            try:
                matcher = self._build()
                with self._lock:
                    self._matcher = matcher
            except Exception:
                log.exception("rebuilding the match index failed; the previous one keeps answering")
            finally:
                with self._lock:
                    self._building = None

        threading.Thread(target=work, name="match-index", daemon=True).start()

    def invalidate(self) -> None:
        """Forget the index (the next match rebuilds it)."""
        with self._lock:
            self._matcher = None


_INDEXES: dict[int, MatchIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(session_factory) -> MatchIndex:
    """The process's MatchIndex for a session factory (one per database)."""
    key = id(session_factory)
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None or index._session_factory is not session_factory:
            index = _INDEXES[key] = MatchIndex(session_factory)
        return index
