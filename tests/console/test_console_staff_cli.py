"""`chanyan staff add/passwd/disable/enable/list`."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator

import pytest

from chanyan.cli import staff as staff_cli
from chanyan.settings import Settings
from chanyan.staff.accounts import authenticate, get_user, make_hasher
from chanyan.store.migrate import upgrade
from chanyan.store.session import make_engine, make_sessionmaker
from tests.postgres import BACKENDS, empty_database


@pytest.fixture(scope="module", params=BACKENDS)
def settings(request, tmp_path_factory) -> Iterator[Settings]:
    """Settings on a migrated database: SQLite, and PostgreSQL (skipped when unreachable)."""
    var_dir = tmp_path_factory.mktemp("staff")
    for url in empty_database(request.param, var_dir / "chanyan.db", "chanyan_staff"):
        upgrade(url)
        yield Settings(database_url=url, var_dir=var_dir)


def run(settings: Settings, argv: list[str], stdin: str = "", monkeypatch=None) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="chanyan")
    staff_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    return args.handler(args, settings, out), out.getvalue()


def check(settings: Settings, username: str, password: str) -> bool:
    maker = make_sessionmaker(make_engine(settings.database_url))
    with maker() as session, session.begin():
        return authenticate(session, make_hasher(), username, password) is not None


def test_add_passwd_disable_enable_list(settings, monkeypatch):
    code, out = run(
        settings,
        ["staff", "add", "Zhang", "--role", "admin", "--name", "张三", "--password-stdin"],
        "first password 1\n",
        monkeypatch,
    )
    assert code == 0 and "added zhang (admin)" in out
    assert check(settings, "zhang", "first password 1")
    code, _ = run(settings, ["staff", "add", "zhang", "--password-stdin"], "another password\n", monkeypatch)
    assert code == 1  # exists
    code, _ = run(
        settings, ["staff", "passwd", "zhang", "--password-stdin"], "second password 2\n", monkeypatch
    )
    assert code == 0
    assert not check(settings, "zhang", "first password 1") and check(settings, "zhang", "second password 2")
    assert run(settings, ["staff", "disable", "zhang"])[0] == 0
    assert not check(settings, "zhang", "second password 2")
    code, out = run(settings, ["staff", "list"])
    assert "zhang\tadmin\tdisabled\t张三" in out
    assert run(settings, ["staff", "enable", "zhang"])[0] == 0
    assert check(settings, "zhang", "second password 2")
    assert (
        run(settings, ["staff", "passwd", "nobody", "--password-stdin"], "whatever password\n", monkeypatch)[
            0
        ]
        == 1
    )


def test_weak_or_mistyped_passwords_are_refused(settings, monkeypatch):
    assert run(settings, ["staff", "add", "li", "--password-stdin"], "short\n", monkeypatch)[0] == 1
    answers = iter(["a long password", "a different one"])
    monkeypatch.setattr(staff_cli.getpass, "getpass", lambda _prompt: next(answers))
    assert run(settings, ["staff", "add", "li"])[0] == 1
    maker = make_sessionmaker(make_engine(settings.database_url))
    with maker() as session:
        assert get_user(session, "li") is None


def test_password_is_never_an_argument():
    parser = argparse.ArgumentParser(prog="chanyan")
    staff_cli.register(parser.add_subparsers(dest="command", required=True))
    with pytest.raises(SystemExit):
        parser.parse_args(["staff", "add", "wang", "--password", "secret"])
