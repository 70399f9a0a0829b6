"""Validate action-server responses with one compiled JSON-schema validator instead of a new one per response.

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`, which validates the
(constant) schema against the JSON-Schema meta-schema and builds a validator on every call. With a form that
calls its validation action on each turn this was a third of the Rasa process's CPU time per message under
load (py-spy, `make bench`). The response is still validated in full, against the same schema, and an invalid
one raises the same `ValidationError` with Rasa's explanation appended.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once per process, as jsonschema.validate would on every call
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Use the compiled validator for RemoteAction responses (idempotent)."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
