"""Filing a request with its follow-up planned: the first-contact task is created in the filing's transaction."""

from __future__ import annotations

from typing import Any

from chanyan.followup.tasks import plan_first_contact
from chanyan.store.models import Request
from chanyan.store.requests import file_request as store_file_request


def file_request(session_factory, fields: dict[str, Any]) -> tuple[Request, bool]:
    """File a request once per draft (chanyan.store.requests.file_request) and plan its first contact."""
    return store_file_request(session_factory, fields, on_filed=plan_first_contact)
