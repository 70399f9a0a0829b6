"""A request filed through the bot gets its shortlist: the sample registry's right partner comes first."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from chanyan.partners import SAMPLE_REGISTRY
from chanyan.partners.registry import import_file
from chanyan.store.models import Request
from chanyan.store.models.partners import Candidate, Partner
from chanyan.store.session import make_engine, make_sessionmaker
from tests.e2e.driver import run_intake

pytestmark = pytest.mark.e2e
SHORTLIST_TIMEOUT_S = 60
# The sample entry written for exactly this kind of need: surface defects of stamped parts, seen by a camera.
EXPECTED = "示例·苏州视觉检测技术研究所"


def test_a_filed_request_gets_the_right_sample_partner_at_the_top(rasa_stack):
    engine = make_engine(rasa_stack.database_url)
    factory = make_sessionmaker(engine)
    try:
        report = import_file(factory, SAMPLE_REGISTRY)
        assert report.written, report.summary()
        user = f"rest-{uuid.uuid4().hex[:10]}"
        intake = run_intake(
            lambda m: rasa_stack.rest(user, m),
            "我们是苏州精工机械有限公司，冲压件表面有划痕和压痕，现在靠人工目检，想上机器视觉自动检测，预算50万左右，明年6月前完成",
        )
        assert intake.ref
        deadline = time.monotonic() + SHORTLIST_TIMEOUT_S
        rows: list[tuple[int, str, list]] = []
        while time.monotonic() < deadline and not rows:
            with factory() as session:
                rows = session.execute(
                    select(Candidate.rank, Partner.name, Candidate.why)
                    .join(Partner, Partner.id == Candidate.partner_id)
                    .join(Request, Request.id == Candidate.request_id)
                    .where(Request.ref == intake.ref)
                    .order_by(Candidate.rank)
                ).all()
            time.sleep(0.5)
        assert rows, "the action server kept no shortlist for the filed request"
        rank, name, why = rows[0]
        assert (rank, name) == (1, EXPECTED), rows[:3]
        assert any(w.startswith("共同术语：") for w in why) and any(w.startswith("领域 ") for w in why)
    finally:
        engine.dispose()
