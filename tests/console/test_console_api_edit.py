"""The JSON API's field corrections (PATCH /api/requests/{ref}) and assignment (POST .../assign)."""

from __future__ import annotations

import pytest
from console_support import ADMIN, DISABLED, STAFF, signed_in

from chanyan.staff.accounts import create_api_token, get_user
from chanyan.store.models import Request
from chanyan.store.requests import get_request
from chanyan.store.session import make_engine, make_sessionmaker

UNKNOWN_REF = "XQ-20000101-9999"


@pytest.fixture
def db(settings):
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def auth(db) -> dict[str, str]:
    """A bearer token of STAFF's."""
    with db() as session, session.begin():
        token = create_api_token(session, get_user(session, STAFF), "测试")
    return {"Authorization": f"Bearer {token}"}


def stored(db, ref: str) -> dict:
    with db() as session:
        row: Request = get_request(session, ref)
        return {
            "enterprise_name": row.enterprise_name,
            "contact_phone": row.contact_phone,
            "contact_email": row.contact_email,
            "budget": row.budget,
            "keywords": list(row.keywords or []),
            "sub_code": row.sub_code,
            "assignee": row.assignee,
            "updated_at": row.updated_at,
        }


async def test_patch_changes_the_fields_and_records_them(client, refs, db, auth):
    ref = refs["extra0"]
    response = await client.patch(
        f"/api/requests/{ref}",
        json={
            "enterprise_name": "  宁波模具有限公司 ",
            "contact_phone": "+86 139-8765-4321",
            "contact_email": None,
            "budget": {"kind": "range", "min_cny": 300000, "max_cny": 1234567},
            "keywords": ["模具", "注塑"],
            "domain": "101",
        },
        headers=auth,
    )
    assert response.status == 200, await response.text()
    data = await response.json()
    assert data["enterprise_name"] == "宁波模具有限公司"
    assert data["contact_phone"] == "13987654321"
    assert data["contact_email"] is None
    assert data["budget"] == {"min_cny": 300000, "max_cny": 1234567, "kind": "range", "text": "区间"}
    assert data["domain"]["sub_code"] == "101"
    assert data == await (await client.get(f"/api/requests/{ref}", headers=auth)).json()
    edits = {a["field"]: a for a in data["audit"] if a["action"] == "edit"}
    assert set(edits) == {"enterprise_name", "contact_phone", "contact_email", "budget", "keywords", "domain"}
    assert edits["enterprise_name"]["old"] == "测试企业0"
    assert edits["enterprise_name"]["new"] == "宁波模具有限公司"
    assert edits["contact_phone"] == {**edits["contact_phone"], "actor": STAFF, "new": "13987654321"}
    row = stored(db, ref)
    assert row["contact_phone"] == "13987654321" and row["keywords"] == ["模具", "注塑"]
    assert row["sub_code"] == "101"
    # Fields left out keep their values; the same patch again changes nothing and records nothing.
    assert data["need_title"] == "锂电池极片缺陷检测0"
    again = await client.patch(f"/api/requests/{ref}", json={"contact_phone": "13987654321"}, headers=auth)
    assert len((await again.json())["audit"]) == len(data["audit"])
    # The page shows the API's edit in its history like its own.
    await signed_in(client)
    page = await (await client.get(f"/requests/{ref}")).text()
    assert "宁波模具有限公司" in page.split("修改记录")[1]


@pytest.mark.parametrize(
    ("patch", "fields"),
    [
        ({"contact_phone": "12345"}, {"contact_phone"}),
        ({"enterprise_name": "新名称", "contact_email": "not-an-email"}, {"contact_email"}),
        ({"enterprise_name": ""}, {"enterprise_name"}),
        ({"contact_phone": 13987654321}, {"contact_phone"}),
        ({"budget": {"kind": "range", "min_cny": 800000, "max_cny": 500000}}, {"budget"}),
        ({"budget": {"kind": "range", "min_cny": "五十万"}}, {"budget"}),
        ({"timeline": {"months": 0}}, {"timeline"}),
        ({"domain": "999"}, {"domain"}),
        ({"coop_mode": ["随便"]}, {"coop_mode"}),
        ({"keywords": "a,b"}, {"keywords"}),
        ({"partner": {"types": ["高校"], "cities": []}}, {"partner"}),
        ({"enterprise_name": "新名称", "colour": "red"}, {"colour"}),
        ({"status": "closed", "assignee": ADMIN}, {"status", "assignee"}),
    ],
)
async def test_patch_refuses_bad_fields_and_saves_nothing(client, refs, db, auth, patch, fields):
    ref = refs["extra1"]
    before = stored(db, ref)
    response = await client.patch(f"/api/requests/{ref}", json=patch, headers=auth)
    assert response.status == 422
    body = await response.json()
    assert body["error"] == "invalid_input" and body["message"]
    assert set(body["errors"]) == fields
    assert stored(db, ref) == before
    audit = (await (await client.get(f"/api/requests/{ref}", headers=auth)).json())["audit"]
    assert not audit


@pytest.mark.parametrize("body", [[{"contact_phone": "13987654321"}], "text", 1, None])
async def test_patch_needs_a_json_object(client, refs, auth, body):
    response = await client.patch(f"/api/requests/{refs['extra1']}", json=body, headers=auth)
    assert response.status == 422
    assert (await response.json())["error"] == "invalid_input"
    broken = await client.patch(
        f"/api/requests/{refs['extra1']}",
        data="{not json",
        headers={**auth, "Content-Type": "application/json"},
    )
    assert broken.status == 422


async def test_unknown_ref_is_404(client, auth):
    patch = await client.patch(f"/api/requests/{UNKNOWN_REF}", json={"contact_name": "王工"}, headers=auth)
    assert patch.status == 404 and (await patch.json())["error"] == "not_found"
    assign = await client.post(f"/api/requests/{UNKNOWN_REF}/assign", json={"assignee": ADMIN}, headers=auth)
    assert assign.status == 404


async def test_token_or_session_is_needed(client, refs):
    ref = refs["extra2"]
    for headers in ({}, {"Authorization": "Bearer cyt_forged"}):
        patch = await client.patch(f"/api/requests/{ref}", json={"contact_name": "王工"}, headers=headers)
        assert patch.status == 401 and (await patch.json())["error"] == "unauthorized"
        assign = await client.post(f"/api/requests/{ref}/assign", json={"assignee": ADMIN}, headers=headers)
        assert assign.status == 401
    # A browser session needs the CSRF header, as for every other API change.
    csrf = await signed_in(client)
    assert (await client.patch(f"/api/requests/{ref}", json={"contact_name": "王工"})).status == 403
    assert (await client.post(f"/api/requests/{ref}/assign", json={"assignee": ADMIN})).status == 403
    ok = await client.patch(
        f"/api/requests/{ref}", json={"contact_name": "王工"}, headers={"X-CSRF-Token": csrf}
    )
    assert ok.status == 200 and (await ok.json())["contact_name"] == "王工"


async def test_assign_and_unassign(client, refs, db, auth):
    ref = refs["extra3"]
    response = await client.post(
        f"/api/requests/{ref}/assign", json={"assignee": f" {ADMIN.upper()} "}, headers=auth
    )
    assert response.status == 200, await response.text()
    data = await response.json()
    assert data["assignee"] == ADMIN and stored(db, ref)["assignee"] == ADMIN
    assert data == await (await client.get(f"/api/requests/{ref}", headers=auth)).json()
    response = await client.post(f"/api/requests/{ref}/assign", json={"assignee": None}, headers=auth)
    assert response.status == 200
    assert (await response.json())["assignee"] is None and stored(db, ref)["assignee"] is None
    audit = [a for a in (await response.json())["audit"] if a["action"] == "assign"]
    assert [(a["field"], a["old"], a["new"], a["actor"]) for a in audit] == [  # newest first
        ("assignee", ADMIN, None, STAFF),
        ("assignee", None, ADMIN, STAFF),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"assignee": "nobody"}, "assignee"),
        ({"assignee": DISABLED}, "assignee"),
        ({"assignee": 7}, "assignee"),
        ({}, "assignee"),
    ],
)
async def test_assign_refuses_unknown_users(client, refs, db, auth, body, field):
    ref = refs["main"]
    response = await client.post(f"/api/requests/{ref}/assign", json=body, headers=auth)
    assert response.status == 422
    assert field in (await response.json())["errors"]
    assert stored(db, ref)["assignee"] is None


async def test_assign_needs_a_json_object(client, refs, auth):
    response = await client.post(f"/api/requests/{refs['main']}/assign", json=[ADMIN], headers=auth)
    assert response.status == 422


async def test_openapi_describes_the_new_routes(client, auth):
    spec = await (await client.get("/api/openapi.json", headers=auth)).json()
    patch = spec["paths"]["/api/requests/{ref}"]["patch"]
    assert {"200", "422", "401", "404"} <= set(patch["responses"])
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RequestPatch"
    }
    editable = set(spec["components"]["schemas"]["RequestPatch"]["properties"])
    assert editable == {
        "enterprise_name", "contact_name", "contact_phone", "contact_email", "need_title", "need_description",
        "tech_targets", "domain", "keywords", "budget", "timeline", "coop_mode", "ip_preference", "partner",
    }  # fmt: skip
    assign = spec["paths"]["/api/requests/{ref}/assign"]["post"]
    assert assign["requestBody"]["content"]["application/json"]["schema"]["required"] == ["assignee"]
    assert {"200", "422", "401", "404"} <= set(assign["responses"])


async def test_the_edit_page_shows_a_budget_exactly_so_saving_it_keeps_it(client, refs, auth):
    ref = refs["extra0"]
    budget = {"kind": "range", "min_cny": 300000, "max_cny": 1234567}
    assert (await client.patch(f"/api/requests/{ref}", json={"budget": budget}, headers=auth)).status == 200
    await signed_in(client)
    page = await (await client.get(f"/requests/{ref}")).text()
    assert 'value="30"' in page and 'value="123.4567"' in page  # 万元, not rounded to 123.457
