"""The launchers of the action server and the Rasa server (bot/serve/): secrets, defaults refused outside
development, bind address, CORS, and what the Rasa launcher installs in its process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chanyan.settings import (
    DEVELOPMENT_SECRETS,
    MIN_SECRET_CHARS,
    InsecureSettingError,
    environment,
    load_secret_files,
    required_secrets,
)

ROOT = Path(__file__).resolve().parents[2]
STRONG = "s3cr3t-" + "x" * MIN_SECRET_CHARS


def test_an_unknown_environment_is_refused():
    assert environment({"CHANYAN_ENV": "production"}) == "production"
    with pytest.raises(ValueError, match="CHANYAN_ENV"):
        environment({"CHANYAN_ENV": "staging"})
    with pytest.raises(InsecureSettingError, match="CHANYAN_ENV"):
        required_secrets(["RASA_TOKEN"], environ={"RASA_TOKEN": "x" * 20, "CHANYAN_ENV": "staging"})


@pytest.mark.parametrize("name", sorted(DEVELOPMENT_SECRETS))
def test_a_published_default_secret_is_refused_in_production_and_accepted_in_development(name):
    default = {name: DEVELOPMENT_SECRETS[name]}
    with pytest.raises(InsecureSettingError, match=name):
        required_secrets([name], environ={**default, "CHANYAN_ENV": "production"})
    assert required_secrets([name], environ={**default, "CHANYAN_ENV": "development"}) == default


def test_the_production_profiles_placeholders_and_short_tokens_are_refused():
    with pytest.raises(InsecureSettingError, match="placeholder"):
        required_secrets(
            ["RASA_TOKEN"], environ={"RASA_TOKEN": "CHANGE-ME-long-random", "CHANYAN_ENV": "production"}
        )
    with pytest.raises(InsecureSettingError, match="at least"):
        required_secrets(["RASA_TOKEN"], environ={"RASA_TOKEN": "short", "CHANYAN_ENV": "production"})
    with pytest.raises(InsecureSettingError, match="not set"):
        required_secrets(["RASA_TOKEN"], environ={})
    assert required_secrets(["RASA_TOKEN"], ["WECHAT_TOKEN"], environ={"RASA_TOKEN": STRONG}) == {
        "RASA_TOKEN": STRONG
    }


def test_a_secret_is_read_from_its_file(tmp_path):
    path = tmp_path / "token"
    path.write_text(STRONG + "\n")
    environ = {"RASA_TOKEN_FILE": str(path)}
    load_secret_files(["RASA_TOKEN"], environ)
    assert environ["RASA_TOKEN"] == STRONG
    with pytest.raises(InsecureSettingError, match="cannot read"):
        load_secret_files(["RASA_TOKEN"], {"RASA_TOKEN_FILE": str(tmp_path / "missing")})


def test_the_makefiles_development_secrets_are_the_ones_refused_in_production():
    makefile = (ROOT / "Makefile").read_text()
    for name, value in DEVELOPMENT_SECRETS.items():
        assert re.search(rf"^export {name}\s+\?= {re.escape(value)}$", makefile, re.M), name
    assert re.search(r"^export CHANYAN_ENV\s+\?= development$", makefile, re.M)


def test_the_action_server_accepts_only_the_shared_secret():
    from serve.action_server import authorised

    assert authorised(f"Bearer {STRONG}", STRONG)
    assert not authorised(None, STRONG)
    assert not authorised("", STRONG)
    assert not authorised(f"Bearer {STRONG}x", STRONG)
    assert not authorised(STRONG, STRONG)
    assert not authorised("Bearer ", "")


def test_cors_defaults_to_the_console_and_refuses_any_origin_outside_development():
    from serve.rasa_server import cors_origins

    assert cors_origins({"CONSOLE_PORT": "8081"}) == ["http://127.0.0.1:8081", "http://localhost:8081"]
    assert cors_origins({"CONSOLE_BASE_URL": "https://console.example.cn/"}) == ["https://console.example.cn"]
    assert cors_origins({"RASA_CORS": "https://a.example.cn, https://b.example.cn"}) == [
        "https://a.example.cn",
        "https://b.example.cn",
    ]
    with pytest.raises(InsecureSettingError, match=r"RASA_CORS=\*"):
        cors_origins({"RASA_CORS": "*", "CHANYAN_ENV": "production"})
    assert cors_origins({"RASA_CORS": "*", "CHANYAN_ENV": "development"}) == ["*"]


def _launch(module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("RASA_", "ACTION_", "WECHAT_", "CHANYAN_"))
    }
    return subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT / "bot",
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_rasa_refuses_to_start_with_the_default_token_in_production():
    done = _launch(
        "serve.rasa_server",
        CHANYAN_ENV="production",
        RASA_TOKEN=DEVELOPMENT_SECRETS["RASA_TOKEN"],
        ACTION_SERVER_TOKEN=STRONG,
    )
    assert done.returncode == 2
    assert "refusing to start: RASA_TOKEN is the published development default" in done.stderr


def test_the_action_server_refuses_to_start_without_its_secret_or_with_the_default_in_production():
    done = _launch("serve.action_server", CHANYAN_ENV="production")
    assert done.returncode == 2
    assert "ACTION_SERVER_TOKEN is not set" in done.stderr
    done = _launch(
        "serve.action_server",
        CHANYAN_ENV="production",
        ACTION_SERVER_TOKEN=DEVELOPMENT_SECRETS["ACTION_SERVER_TOKEN"],
    )
    assert done.returncode == 2
    assert "ACTION_SERVER_TOKEN is the published development default" in done.stderr


WARN_AND_CHECK = """
import warnings
from rasa.core.actions.action import RemoteAction
from components import action_result_validation
from serve.rasa_server import configure_process

configure_process()
assert RemoteAction._validate_action_result is action_result_validation._validate_action_result
warnings.warn("Parsing of message '/ask 13912345678 wang@example.com' failed", UserWarning, stacklevel=1)
print("validator installed")
"""


def test_the_rasa_process_masks_warnings_and_validates_action_responses_with_the_compiled_validator():
    done = subprocess.run(
        [sys.executable, "-c", WARN_AND_CHECK],
        cwd=ROOT / "bot",
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "default"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "validator installed" in done.stdout
    assert "Parsing of message" in done.stderr
    assert "13912345678" not in done.stdout + done.stderr
    assert "wang@example.com" not in done.stdout + done.stderr
