"""Signing in and out, and passwords (engine/org/accounts.py, sign_in.py, passwords.py; web/ui/
auth.py, account.py; web/api/auth.py; the ``kuaiban users`` commands):

* brute force is throttled per user name and per client address (429 with Retry-After), on
  the API and the sign-in page, for names that exist and names that do not alike; locks are
  logged, end after their time, and are shared by every process on the database;
* a session copied before sign-out, and every session and token after a password change,
  signing out everywhere or deactivation, stop working; ``POST /api/v1/auth/logout`` revokes
  the token it was sent with;
* passwords people choose follow the policy; the CLI prompts for them or reads stdin; users
  change their own on the web; an administrator resets one.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from engine.cli import main
from engine.errors import InvalidData, Throttled
from engine.org import passwords
from engine.time.clock import FixedClock
from tests.test_ui_support import PASSWORD, frozen, make_engine
from web.demo import DEMO_PASSWORD, create_demo_users

pytest_plugins = ["tests.test_ui_support"]  # ui_clock, eng, app

GOOD = "Jingdezhen-kiln-2026"  # follows the policy


@pytest.fixture
def wall(eng: Engine) -> FixedClock:
    """The clock sign-in locks run on, under the test's control."""
    clock = frozen("2026-09-30T09:00:00+08:00")
    eng.wall = clock
    return clock


def _token(client: FlaskClient, username: str, password: str, address: str = "10.0.0.1"
           ) -> tuple[int, dict[str, str], str | None]:
    response = client.post("/api/v1/auth/token", json={"username": username,
                                                       "password": password},
                           environ_base={"REMOTE_ADDR": address})
    body = response.get_json()
    return response.status_code, dict(response.headers), body.get("token") if body else None


def _login(client: FlaskClient, username: str, password: str, address: str = "10.0.0.1"
           ) -> int:
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


# -- brute force --------------------------------------------------------------------------------

def test_guessing_a_password_through_the_api_is_stopped(app: Flask, wall: FixedClock) -> None:
    client = app.test_client()
    statuses = [_token(client, "li", f"guess-{i}")[0] for i in range(100)]
    assert statuses[:4] == [401] * 4 and set(statuses[4:]) == {429}, statuses
    status, headers, token = _token(client, "li", PASSWORD)  # the right one: still locked
    assert status == 429 and token is None and 0 < int(headers["Retry-After"]) <= 15 * 60
    wall.advance(timedelta(minutes=15, seconds=1))
    assert _token(client, "li", PASSWORD)[0] == 200  # the lock ends


def test_guessing_on_the_sign_in_page_is_stopped(app: Flask, wall: FixedClock) -> None:
    client = app.test_client()
    statuses = [_login(client, "li", f"guess-{i}") for i in range(30)]
    assert statuses[:4] == [401] * 4 and set(statuses[4:]) == {429}
    page = client.post("/login", data={"username": "li", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert page.status_code == 429 and "登录失败次数过多" in page.text
    assert int(page.headers["Retry-After"]) > 0
    assert client.get("/").status_code == 302  # not signed in


def test_a_success_clears_the_count_of_its_name(app: Flask, wall: FixedClock) -> None:
    client = app.test_client()
    for _ in range(2):
        assert [_login(client, "li", "wrong") for _ in range(4)] == [401] * 4
        assert _login(client, "li", PASSWORD, address="10.0.0.2") == 302


def test_one_address_guessing_many_names_is_stopped(app: Flask, wall: FixedClock) -> None:
    client = app.test_client()
    names = [f"user{i}" for i in range(25)]
    statuses = [_token(client, name, "wrong", "203.0.113.5")[0] for name in names]
    assert statuses[:19] == [401] * 19 and set(statuses[19:]) == {429}, statuses
    assert _token(client, "li", PASSWORD, "203.0.113.5")[0] == 429  # any name, from there
    assert _token(client, "li", PASSWORD, "203.0.113.6")[0] == 200  # elsewhere: fine


def test_names_that_exist_and_names_that_do_not_are_locked_alike(app: Flask,
                                                                  wall: FixedClock) -> None:
    client = app.test_client()
    real = [_token(client, "li", "wrong", "10.1.0.1")[0] for _ in range(7)]
    made_up = [_token(client, "no-such-user", "wrong", "10.1.0.2")[0] for _ in range(7)]
    assert real == made_up == [401] * 4 + [429] * 3


def test_locks_are_logged(app: Flask, wall: FixedClock, caplog: pytest.LogCaptureFixture
                          ) -> None:
    with caplog.at_level(logging.WARNING, logger="kuaiban.security"):
        for _ in range(5):
            _token(app.test_client(), "li", "wrong", "10.2.0.1")
    [record] = [r for r in caplog.records if r.name == "kuaiban.security"]
    assert "sign-in locked" in record.getMessage()
    assert (record.user, record.address, record.scope) == (  # type: ignore[attr-defined]
        "li", "10.2.0.1", "account")


def test_every_process_sees_the_same_lock(eng: Engine, tmp_path: Path,
                                          wall: FixedClock) -> None:
    other = Engine(eng.url, clock=eng.clock)  # another web process on the same database
    other.wall = wall
    try:
        for _ in range(4):
            assert eng.authenticate("li", "wrong") is None
        with pytest.raises(Throttled):
            other.authenticate("li", "wrong")
        with pytest.raises(Throttled) as refused:
            eng.authenticate("li", PASSWORD)
        assert refused.value.retry_after == 15 * 60
    finally:
        other.close()


def test_an_administrator_lifts_a_lock(eng: Engine, wall: FixedClock) -> None:
    for _ in range(4):
        eng.authenticate("li", "wrong")
    with pytest.raises(Throttled):
        eng.authenticate("li", "wrong")
    assert eng.accounts.unlock("li") is True
    assert eng.authenticate("li", PASSWORD) is not None
    assert eng.accounts.unlock("li") is False


# -- sessions and tokens ------------------------------------------------------------------------

def _signed_in_client(app: Flask, username: str = "li", password: str = PASSWORD
                      ) -> FlaskClient:
    client = app.test_client()
    assert _login(client, username, password) == 302
    assert client.get("/").status_code == 200
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser with the same session cookie (stolen, or copied before sign-out)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def test_a_session_copied_before_sign_out_is_dead_after_it(app: Flask) -> None:
    client = _signed_in_client(app)
    thief = _copy(app, client)
    assert thief.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert thief.get("/").status_code == 302  # to the sign-in page
    assert thief.get("/").location.startswith("/login")


def test_signing_out_one_session_leaves_the_others(app: Flask) -> None:
    desk, phone = _signed_in_client(app), _signed_in_client(app)
    desk.post("/logout")
    assert phone.get("/").status_code == 200


def test_a_new_password_revokes_every_other_session_and_token(app: Flask) -> None:
    client = _signed_in_client(app)
    elsewhere = _signed_in_client(app)
    _, _, token = _token(app.test_client(), "li", PASSWORD)
    auth = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/tasks", headers=auth).status_code == 200
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": GOOD, "confirm_password": GOOD})
    assert response.status_code == 302, response.text
    assert client.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/").status_code == 302
    refused = app.test_client().get("/api/v1/tasks", headers=auth)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"
    assert _login(app.test_client(), "li", PASSWORD) == 401
    assert _login(app.test_client(), "li", GOOD) == 302


def test_deactivation_revokes_sessions_and_tokens(app: Flask, eng: Engine) -> None:
    client = _signed_in_client(app)
    _, _, token = _token(app.test_client(), "li", PASSWORD)
    eng.accounts.deactivate("li")
    assert client.get("/").status_code == 302
    assert app.test_client().get("/api/v1/tasks", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(app.test_client(), "li", PASSWORD) == 401


def test_api_logout_revokes_the_token_it_was_sent_with(app: Flask) -> None:
    client = app.test_client()
    _, _, first = _token(client, "li", PASSWORD)
    _, _, second = _token(client, "li", PASSWORD)
    one, two = ({"Authorization": f"Bearer {t}"} for t in (first, second))
    response = client.post("/api/v1/auth/logout", headers=one)
    assert response.status_code == 200
    assert response.get_json() == {"signed_out": True, "everywhere": False}
    assert client.get("/api/v1/tasks", headers=one).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=one).status_code == 401
    assert client.get("/api/v1/tasks", headers=two).status_code == 200


def test_api_logout_everywhere_ends_every_token_and_session(app: Flask) -> None:
    browser = _signed_in_client(app)
    client = app.test_client()
    _, _, first = _token(client, "li", PASSWORD)
    _, _, second = _token(client, "li", PASSWORD)
    response = client.post("/api/v1/auth/logout", json={"everywhere": True},
                           headers={"Authorization": f"Bearer {first}"})
    assert response.get_json()["everywhere"] is True
    assert client.get("/api/v1/tasks", headers={
        "Authorization": f"Bearer {second}"}).status_code == 401
    assert browser.get("/").status_code == 302


def test_signing_out_everywhere_on_the_web(app: Flask) -> None:
    client, other = _signed_in_client(app), _signed_in_client(app)
    _, _, token = _token(app.test_client(), "li", PASSWORD)
    assert "退出所有设备" in client.get("/account/password").text
    assert client.post("/logout", data={"everywhere": "1"}).status_code == 302
    assert other.get("/").status_code == 302
    assert app.test_client().get("/api/v1/tasks", headers={
        "Authorization": f"Bearer {token}"}).status_code == 401


def test_a_session_without_its_id_is_not_a_session(app: Flask) -> None:
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = "li"  # as a session of an earlier version carried it
    assert client.get("/").status_code == 302


# -- passwords ----------------------------------------------------------------------------------

@pytest.mark.parametrize("password, problem", [
    ("a", "至少 10 个字符"), ("short-pw", "至少 10 个字符"),
    ("zhangwei-2026!", "用户名"), ("ZHANGWEI", "用户名"),
    ("password123", "常见密码"), ("1234567890", "常见密码"), ("Qwertyuiop", "常见密码"),
    ("aaaaaaaaaaab", "不同的字符"), ("x" * 300, "最多"),
])
def test_the_policy_refuses_weak_passwords(password: str, problem: str) -> None:
    found = passwords.problems("zhangwei", password)
    assert any(problem in p for p in found), found
    with pytest.raises(InvalidData):
        passwords.check("zhangwei", password)


def test_the_policy_accepts_a_good_one() -> None:
    assert passwords.problems("zhangwei", GOOD) == []
    assert passwords.problems("li", "reliable-kiln-42") == []  # a short name is no substring
    assert len(passwords.common_passwords()) > 1000


def test_demo_users_keep_the_demo_password(tmp_path: Path) -> None:
    engine = make_engine(tmp_path, frozen())
    try:
        create_demo_users(engine)  # seeded by code: the policy is for people choosing one
        assert engine.authenticate("intake", DEMO_PASSWORD) is not None
    finally:
        engine.close()


def test_changing_ones_password_on_the_web(app: Flask) -> None:
    client = _signed_in_client(app)
    page = client.get("/")
    assert 'href="/account/password"' in page.text  # from the header
    form = client.get("/account/password")
    assert form.status_code == 200 and 'type="password"' in form.text
    cases = [({"current_password": "wrong", "new_password": GOOD, "confirm_password": GOOD},
              "current_password", "当前密码不正确"),
             ({"current_password": PASSWORD, "new_password": "kuaiban12",
               "confirm_password": "kuaiban12"}, "new_password", "至少 10 个字符"),
             ({"current_password": PASSWORD, "new_password": GOOD,
               "confirm_password": GOOD + "x"}, "confirm_password", "不一致")]
    for data, field, message in cases:
        response = client.post("/account/password", data=data)
        assert response.status_code == 422, field
        assert message in response.text.split(f'data-field="{field}"', 1)[1].split("</div>")[0]
    assert _login(app.test_client(), "li", PASSWORD) == 302  # unchanged so far


def test_a_weak_new_password_on_the_web_is_shown_beside_its_field(app: Flask) -> None:
    client = _signed_in_client(app)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "password123",
        "confirm_password": "password123"})
    assert response.status_code == 422 and "常见密码" in response.text
    assert 'data-field="new_password"' in response.text


# -- the command line ---------------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, tmp_path: Path, *args: str, stdin: str | None = None
         ) -> tuple[int, str, str]:
    env = {"KUAIBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    result = runner.invoke(main, list(args), env=env, input=stdin)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_users_add_refuses_a_weak_password(cli: CliRunner, tmp_path: Path) -> None:
    code, _, err = _run(cli, tmp_path, "users", "add", "li", "--role", "intake",
                        "--password", "a")
    assert code == 1 and "至少 10 个字符" in err
    code, _, err = _run(cli, tmp_path, "users", "add", "li", "--role", "intake",
                        stdin="password123\n")
    assert code == 1 and "常见密码" in err


def test_users_add_reads_the_password_from_stdin(cli: CliRunner, tmp_path: Path) -> None:
    code, out, err = _run(cli, tmp_path, "users", "add", "li", "--role", "intake",
                          stdin=GOOD + "\n")
    assert code == 0 and out == "li: intake\n" and GOOD not in out + err
    engine = Engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        assert engine.authenticate("li", GOOD) is not None
    finally:
        engine.close()


def test_the_password_option_is_kept_for_scripts_with_a_warning(cli: CliRunner,
                                                                tmp_path: Path) -> None:
    code, _, err = _run(cli, tmp_path, "users", "add", "li", "--role", "intake",
                        "--password", GOOD)
    assert code == 0 and "shell history" in err
    _, help_text, _ = _run(cli, tmp_path, "users", "add", "--help")
    assert "shell history" in " ".join(help_text.split())


def test_an_administrator_resets_a_password(cli: CliRunner, tmp_path: Path) -> None:
    _run(cli, tmp_path, "users", "add", "li", "--role", "intake", stdin=GOOD + "\n")
    code, _, err = _run(cli, tmp_path, "users", "set-password", "li", stdin="short\n")
    assert code == 1 and "至少 10 个字符" in err
    code, _, err = _run(cli, tmp_path, "users", "set-password", "li", stdin="")
    assert code != 0 and "no password given" in err
    code, out, _ = _run(cli, tmp_path, "users", "set-password", "li",
                        stdin="Another-kiln-2027\n")
    assert code == 0 and "signed out everywhere" in out
    code, _, err = _run(cli, tmp_path, "users", "set-password", "nobody",
                        stdin="Another-kiln-2027\n")
    assert code == 1 and "no user" in err
    engine = Engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        assert engine.authenticate("li", GOOD) is None
        assert engine.authenticate("li", "Another-kiln-2027") is not None
    finally:
        engine.close()


def test_cli_deactivate_unlock_and_sign_out(cli: CliRunner, tmp_path: Path) -> None:
    _run(cli, tmp_path, "users", "add", "li", "--role", "intake", stdin=GOOD + "\n")
    assert _run(cli, tmp_path, "users", "unlock", "li")[1] == "li: was not locked\n"
    assert _run(cli, tmp_path, "users", "sign-out", "li")[1] == "li: signed out everywhere\n"
    assert _run(cli, tmp_path, "users", "deactivate", "li")[0] == 0
    engine = Engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        assert engine.authenticate("li", GOOD) is None
    finally:
        engine.close()


def test_sign_in_locks_run_on_the_real_clock_when_the_engine_clock_is_frozen(
        eng: Engine) -> None:
    """A frozen KUAIBAN_NOW must not freeze sign-in locks (they would never end)."""
    from engine.time.clock import SystemClock

    assert isinstance(eng.clock, FixedClock) and isinstance(eng.wall, SystemClock)


def test_users_add_without_a_password(cli: CliRunner, tmp_path: Path) -> None:
    code, out, _ = _run(cli, tmp_path, "users", "add", "li", "--role", "intake",
                        "--no-password", stdin=GOOD + "\n")  # stdin is not read
    assert code == 0 and out == "li: intake\n"
    code, _, err = _run(cli, tmp_path, "users", "add", "li", "--role", "intake",
                        "--no-password", "--password", GOOD)
    assert code == 2 and "exclude each other" in err
    engine = Engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        assert engine.authenticate("li", GOOD) is None
    finally:
        engine.close()

