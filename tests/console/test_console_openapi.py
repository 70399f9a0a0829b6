"""The OpenAPI document says what the API really answers: every route's real answers validate against it."""

from __future__ import annotations

import jsonschema
import pytest

from chanyan.console.openapi import document
from chanyan.requests.records import request_record
from chanyan.requests.schemas import REQUEST
from chanyan.staff.accounts import create_api_token, get_user
from chanyan.store.requests import get_request
from chanyan.store.session import make_engine, make_sessionmaker
from tests.console.console_support import ADMIN, STAFF

SPEC = document()


@pytest.fixture
def db(settings):
    return make_sessionmaker(make_engine(settings.database_url))


@pytest.fixture
def auth(db) -> dict[str, str]:
    with db() as session, session.begin():
        token = create_api_token(session, get_user(session, STAFF), "契约测试")
    return {"Authorization": f"Bearer {token}"}


def check(instance, path: str, method: str, status: int) -> None:
    """Validate an answer against the schema the document gives for this route and status."""
    response = SPEC["paths"][path][method]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    resolver = jsonschema.RefResolver.from_schema(SPEC)
    jsonschema.Draft202012Validator(
        schema, resolver=resolver, format_checker=jsonschema.FormatChecker()
    ).validate(instance)


def test_the_document_is_valid_json_schema_throughout():
    for schema in SPEC["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_filed_record_matches_the_request_schema(db, refs):
    with db() as session:
        for ref in refs.values():
            jsonschema.Draft202012Validator(REQUEST).validate(request_record(get_request(session, ref)))


async def test_every_documented_answer_is_what_the_routes_return(client, refs, auth):
    ref = refs["main"]
    answers = [
        ("/api/requests", "get", await client.get("/api/requests?page_size=3", headers=auth)),
        ("/api/requests", "get", await client.get("/api/requests?status=new&q=划痕", headers=auth)),
        ("/api/requests/{ref}", "get", await client.get(f"/api/requests/{ref}", headers=auth)),
        ("/api/requests/{ref}", "get", await client.get(f"/api/requests/{refs['handoff']}", headers=auth)),
        ("/api/requests/{ref}", "get", await client.get("/api/requests/XQ-19990101-0001", headers=auth)),
        ("/api/requests/{ref}/transcript", "get", await client.get(f"/api/requests/{ref}/transcript", headers=auth)),
        ("/api/stats", "get", await client.get("/api/stats", headers=auth)),
        ("/api/requests/{ref}", "patch",
         await client.patch(f"/api/requests/{refs['extra1']}", json={"tech_targets": "节拍≤2秒"}, headers=auth)),
        ("/api/requests/{ref}", "patch",
         await client.patch(f"/api/requests/{refs['extra1']}", json={"contact_phone": "12"}, headers=auth)),
        ("/api/requests/{ref}/assign", "post",
         await client.post(f"/api/requests/{refs['extra1']}/assign", json={"assignee": ADMIN}, headers=auth)),
        ("/api/requests/{ref}/notes", "post",
         await client.post(f"/api/requests/{refs['extra1']}/notes", json={"text": "已电话联系"}, headers=auth)),
        ("/api/requests/{ref}/status", "post",
         await client.post(f"/api/requests/{refs['extra1']}/status", json={"status": "reviewing"}, headers=auth)),
        ("/api/requests/{ref}/status", "post",
         await client.post(f"/api/requests/{refs['extra1']}/status", json={"status": "agreed"}, headers=auth)),
        ("/api/requests", "get", await client.get("/api/requests")),
    ]  # fmt: skip
    statuses = set()
    for path, method, response in answers:
        statuses.add(response.status)
        check(await response.json(), path, method, response.status)
    assert {200, 201, 401, 404, 409, 422} <= statuses


def test_the_edit_body_names_exactly_the_editable_fields():
    from chanyan.console.editing import EDITABLE_FIELDS

    assert set(SPEC["components"]["schemas"]["RequestPatch"]["properties"]) == set(EDITABLE_FIELDS)
