"""Files that hold contacts, transcripts, password hashes and keys are readable by their owner only."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from chanyan.cli import main
from chanyan.console.settings import load_or_create_secret
from connectors.webchat.sessions import load_key


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def var(tmp_path, monkeypatch) -> Path:
    var = tmp_path / "deploy" / "var"
    monkeypatch.setenv("CHANYAN_VAR_DIR", str(var))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{var / 'chanyan.db'}")
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{var / 'tracker.db'}")
    return var


def test_db_upgrade_creates_the_var_folder_0700_and_both_databases_0600(var):
    assert main(["db", "upgrade"], out=io.StringIO()) == 0
    assert mode(var) == 0o700
    assert mode(var / "chanyan.db") == 0o600
    assert mode(var / "tracker.db") == 0o600  # before Rasa, which would create it world-readable


def test_a_var_folder_and_database_left_readable_by_an_older_version_are_tightened(var):
    var.mkdir(parents=True, mode=0o755)
    var.chmod(0o755)
    (var / "chanyan.db").touch(mode=0o644)
    (var / "chanyan.db").chmod(0o644)
    assert main(["db", "upgrade"], out=io.StringIO()) == 0
    assert mode(var) == 0o700 and mode(var / "chanyan.db") == 0o600


def test_the_generated_console_secret_and_web_chat_key_are_0600_in_a_0700_folder(tmp_path):
    var = tmp_path / "var"
    load_or_create_secret(var)
    load_key({}, var_dir=var)
    assert mode(var) == 0o700
    assert {p.name: mode(p) for p in var.iterdir()} == {"console_secret": 0o600, "webchat-session.key": 0o600}


@pytest.mark.e2e
def test_the_running_stack_keeps_its_database_and_keys_private(rasa_stack):
    rasa_stack.rest("sec_files", "你好")
    files = [p for p in rasa_stack.workdir.iterdir() if p.name.startswith("chanyan.db") or p.suffix == ".key"]
    assert any(p.name == "chanyan.db" for p in files) and any(p.suffix == ".key" for p in files)
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
