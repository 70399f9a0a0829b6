"""Action-server responses are validated with one compiled validator, with the same verdicts as Rasa's own."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from components import action_result_validation

action_result_validation.install()  # as the Rasa launcher does at start-up (bot/serve/rasa_server.py)

VALID = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "timestamp": None, "name": "budget", "value": "30万"},
            {"event": "active_loop", "name": "intake_form"},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [
            {"text": "好的，请问预算大概多少？", "buttons": [{"title": "面议", "payload": "面议"}]}
        ],
    },
]
INVALID = [
    {"events": [{"name": "budget", "value": 1}], "responses": []},  # an event without its type
    {"events": [{"event": "slot", "name": 3, "value": "x"}], "responses": []},  # a slot name that is not text
    {"events": "slot", "responses": []},
]


def _spec() -> dict:
    return RemoteAction.action_response_format_spec()


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass(response):
    jsonschema.validate(response, _spec())  # Rasa's verdict
    assert RemoteAction("action_x", None)._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_fail_with_rasas_explanation(response):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(response, _spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        RemoteAction("action_x", None)._validate_action_result(response)


def test_installing_twice_keeps_the_compiled_validator():
    assert RemoteAction._validate_action_result is action_result_validation._validate_action_result
    action_result_validation.install()  # a second install changes nothing
    assert RemoteAction._validate_action_result is action_result_validation._validate_action_result
