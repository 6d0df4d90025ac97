"""个人信息 (/account/profile): every signed-in user sees their name, username, unit and roles,
and keeps their own e-mail address, office telephone and language (checked, each refusal
beside its field; CSRF; only their own). The language they switch the pages to is kept for
their next sign-in."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from engine.api import Engine
from tests.test_ui_support import FULIANG, as_user, choose_language, csrf_token, login, make_app

pytest_plugins = ["tests.test_ui_support"]


def field(html: str, name: str) -> str:
    """The part of the page of one form field (its input, error and hint)."""
    return html.split(f'data-field="{name}"', 1)[1].split("</div>", 1)[0]


def save(client: FlaskClient, **values: str) -> tuple[int, str]:
    data = {"email": "", "phone": "", "language": "zh", **values}
    response = client.post("/account/profile", data=data)
    return response.status_code, response.text


def test_the_profile_shows_the_account_and_is_linked_from_the_header(app: Flask,
                                                                     eng: Engine) -> None:
    eng.add_user("zhao", ["handler"], unit=FULIANG, display_name="赵敏",
                 email="zhao@example.gov.cn", phone="0798-2600101")
    client = as_user(app, "zhao")
    assert 'href="/account/profile"' in client.get("/").text
    assert 'href="/account/profile"' in client.get("/notifications/settings").text
    page = client.get("/account/profile")
    assert page.status_code == 200
    facts = page.text.split('id="account-facts"', 1)[1].split("</section>", 1)[0]
    assert "赵敏" in facts and "<code>zhao</code>" in facts and FULIANG in facts
    assert "承办部门" in facts and "handler" not in facts  # the role by its label
    assert "<input" not in facts  # shown, not edited
    assert 'value="zhao@example.gov.cn"' in field(page.text, "email")
    assert 'value="0798-2600101"' in field(page.text, "phone")
    assert '<option value="" selected>默认（中文）</option>' in field(page.text, "language")


def test_saved_details_are_the_users_own(app: Flask, eng: Engine) -> None:
    client = as_user(app, "zhao")
    response = client.post("/account/profile", data={
        "email": " zhao@jdz.gov.cn ", "phone": "+86 798-2600101", "language": "zh",
        "username": "li", "display_name": "改名", "unit": "别处"})  # not the page's to change
    assert response.status_code == 302 and response.location == "/account/profile"
    page = client.get("/account/profile").text
    assert "个人信息已保存" in page
    assert 'value="zhao@jdz.gov.cn"' in page and 'value="+86 798-2600101"' in page
    mine, theirs = eng.accounts.profile("zhao"), eng.accounts.profile("li")
    assert (mine.email, mine.phone, mine.language) == ("zhao@jdz.gov.cn", "+86 798-2600101",
                                                       "zh")
    assert (mine.display_name, mine.unit) == ("zhao", FULIANG)
    assert (theirs.email, theirs.phone, theirs.language) == (None, None, None)
    # what the 交办函 prints as the contact's telephone
    status, _ = save(client, phone="", email="")
    assert status == 302 and eng.accounts.profile("zhao").phone is None


def test_refused_details_are_named_beside_their_fields(app: Flask, eng: Engine) -> None:
    client = as_user(app, "zhao")
    save(client, email="zhao@jdz.gov.cn", phone="0798-2600101")
    status, page = save(client, email="zhao@", phone="0798--2600101", language="fr")
    assert status == 422
    assert "不是有效的电子邮件地址" in field(page, "email")
    assert "不是有效的电话号码" in field(page, "phone")
    assert "请选择中文或 English" in field(page, "language")
    assert 'value="zhao@"' in field(page, "email")  # what was typed, to correct it
    assert 'aria-invalid="true"' in field(page, "phone")
    length = "7 至 20 个字符"
    for phone, problem in (("123", length), ("+86 798 2600 1010 1234 5", length),
                           ("请拨总机", "不是有效的电话号码")):
        status, page = save(client, phone=phone)
        assert status == 422 and problem in field(page, "phone"), phone
        assert "role=\"alert\"" not in field(page, "email")
    kept = eng.accounts.profile("zhao")
    assert (kept.email, kept.phone) == ("zhao@jdz.gov.cn", "0798-2600101")
    choose_language(client)
    status, page = save(client, phone="x", language="en")
    assert status == 422 and "not a telephone number" in field(page, "phone")


def test_a_telephone_typed_in_full_width_is_saved_in_ascii(app: Flask, eng: Engine) -> None:
    client = as_user(app, "zhao")
    page = client.get("/account/profile").text
    assert "共 7 至 20 个字符（空格和连字符计算在内）" in field(page, "phone")
    typed = "＋８６　７９８——２６００——１０１０　１２"  # an input method's; 20 characters as kept
    maxlength = int(re.findall(r'maxlength="(\d+)"', field(page, "phone"))[0])
    assert maxlength >= len(typed)
    status, _ = save(client, phone=typed)
    assert status == 302 and eng.accounts.profile("zhao").phone == "+86 798-2600-1010 12"
    choose_language(client)
    page = client.get("/account/profile").text
    assert "7 to 20 characters, spaces and hyphens included" in field(page, "phone")
    assert "<label for=\"f-email\">E-mail</label>" in page


def test_following_the_language_link_changes_nothing_until_its_button_is_pressed(
        eng: Engine) -> None:
    """A GET (a prefetcher's, a crawler's) neither stores the choice nor switches the pages;
    the header's button posts it, with the page's token."""
    client = make_app(eng, csrf=True).test_client()
    client.post("/login", data={"username": "zhao", "password": "pw-ui-test",
                                "csrf_token": csrf_token(client.get("/login").text)})
    header = client.get("/").text
    assert re.search(r'<form method="post" action="/lang/en" class="inline lang">\s*'
                     r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
                     r'<input type="hidden" name="next" value="/">\s*'
                     r'<button type="submit" class="link" lang="en">English</button>', header)
    assert 'href="/lang/' not in header
    shown = client.get("/lang/en?next=/done")
    assert shown.status_code == 200 and 'id="switch-language"' in shown.text
    assert '<input type="hidden" name="next" value="/done">' in shown.text
    assert eng.user("zhao").language is None
    assert "待办事项" in client.get("/").text
    refused = client.post("/lang/en", data={"next": "/done"})  # no token
    assert refused.status_code == 400 and eng.user("zhao").language is None
    assert choose_language(client, "en", "/done") == "/done"
    assert eng.user("zhao").language == "en" and "Inbox" in client.get("/").text


def test_saving_needs_the_forms_token(eng: Engine) -> None:
    app = make_app(eng, csrf=True)
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"username": "zhao", "password": "pw-ui-test",
                                "csrf_token": token})
    page = client.get("/account/profile").text
    assert page.count('name="csrf_token"') == len(re.findall(r'<form method="post"', page))
    refused = client.post("/account/profile", data={
        "email": "zhao@jdz.gov.cn", "phone": "0798-2600101", "language": "zh"})
    assert refused.status_code == 400
    assert eng.accounts.profile("zhao").phone is None
    done = client.post("/account/profile", data={
        "email": "zhao@jdz.gov.cn", "phone": "0798-2600101", "language": "zh",
        "csrf_token": csrf_token(page)})
    assert done.status_code == 302 and eng.accounts.profile("zhao").phone == "0798-2600101"


def test_signed_out_the_profile_asks_to_sign_in(app: Flask, eng: Engine) -> None:
    client = app.test_client()
    assert client.get("/account/profile").location.startswith("/login")
    assert client.post("/account/profile", data={"phone": "0798-2600101"}
                       ).location.startswith("/login")
    choose_language(client)  # a visitor's choice stays in the session only
    assert all(eng.user(name).language is None for name in ("li", "zhao"))


def test_the_language_switched_to_is_kept_across_sign_out_and_sign_in(app: Flask,
                                                                      eng: Engine) -> None:
    client = as_user(app, "zhao")
    choose_language(client, next_page="/")
    assert eng.user("zhao").language == "en"
    client.post("/logout")
    other = app.test_client()  # another browser: nothing chosen in its session
    login(other, "zhao")
    page = other.get("/").text
    assert "Inbox" in page and "待办事项" not in page
    # someone without a stored language keeps what the sign-in page was switched to
    visitor = app.test_client()
    choose_language(visitor)
    login(visitor, "li")
    assert "Inbox" in visitor.get("/").text


def test_signing_out_forgets_the_language_so_the_next_person_does_not_inherit_it(
        app: Flask, eng: Engine) -> None:
    browser = as_user(app, "zhao")
    choose_language(browser)
    assert eng.user("zhao").language == "en"
    browser.post("/logout")
    assert "登录" in browser.get("/login").text  # the sign-in page in Chinese again
    login(browser, "li")  # no stored language, nothing chosen on the sign-in page
    assert "待办事项" in browser.get("/").text
    page = browser.get("/account/profile").text
    assert '<option value="" selected>默认（中文）</option>' in field(page, "language")
    assert "selected" not in field(page, "language").split("默认（中文）", 1)[1]
    # saving the telephone with the language shown stores no language
    status, _ = save(browser, phone="0798-2600101", language="")
    assert status == 302 and eng.accounts.profile("li").language is None
    assert "待办事项" in browser.get("/").text
    browser.post("/logout")
    choose_language(browser)  # chosen on the sign-in page by the person signing in: kept
    login(browser, "li")
    assert "Inbox" in browser.get("/").text
    assert eng.accounts.profile("li").language is None
    # the same user's renewed session (a new password) keeps it
    renewed = browser.post("/account/password", data={"current_password": "pw-ui-test",
                                                      "new_password": "a-new-pw-2026!",
                                                      "confirm_password": "a-new-pw-2026!"})
    assert renewed.status_code == 302
    assert "Inbox" in browser.get("/").text
    # choosing 默认（中文） on the profile page goes back to Chinese now
    save(browser, language="en")
    save(browser, language="")
    assert eng.accounts.profile("li").language is None
    assert "待办事项" in browser.get("/").text


def test_the_profiles_language_switches_the_pages_now_and_at_the_next_sign_in(
        app: Flask, eng: Engine) -> None:
    client = as_user(app, "zhao")
    status, _ = save(client, language="en")
    assert status == 302
    page = client.get("/account/profile").text
    assert "Profile saved" in page and "My profile" in page
    assert '<option value="en" lang="en" selected>' in field(page, "language")
    other = app.test_client()
    login(other, "zhao")
    assert "Inbox" in other.get("/").text
    save(other, language="zh")
    fresh = app.test_client()
    choose_language(fresh)  # the stored choice wins at sign-in
    login(fresh, "zhao")
    assert "待办事项" in fresh.get("/").text
