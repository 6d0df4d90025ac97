"""The 统一社会信用代码 is checked by its check character (GB 32100-2015), on forms and on
enterprise users: a mistyped code would file an application under another enterprise."""

from __future__ import annotations

import pytest

from engine.api import Engine
from engine.definitions.forms import validate
from engine.errors import InvalidData
from engine.org.credit_code import check_character, is_valid, normalized, problem

# Published codes of real enterprises (their check characters were not computed here)
REAL = ["9144030071526726XG", "91330100716105852F", "91110108551385082Q"]


@pytest.mark.parametrize("code", REAL)
def test_published_codes_are_valid(code: str) -> None:
    assert is_valid(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL)
def test_one_mistyped_or_swapped_character_is_caught(code: str) -> None:
    typo = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    swapped = code[:9] + code[10] + code[9] + code[11:]
    assert not is_valid(typo)
    assert swapped == code or not is_valid(swapped)


def test_shape_is_checked_before_the_check_character() -> None:
    assert not is_valid("91360200MA35B0001")  # 17 characters
    assert not is_valid("91360200MA35B0001MM")
    assert not is_valid("91360200MI35B0001M")  # I is not in the alphabet
    assert not is_valid("913602A0MA35B0001M")  # the area code is digits
    assert not is_valid("91360200ma35b0001m")  # forms take capitals as typed by the rules
    assert normalized(" 91360200ma35b0001m ") == "91360200MA35B0001M"
    assert is_valid(normalized(" 91360200ma35b0001m "))


def test_typed_full_width_or_spaced_the_code_is_taken_as_printed() -> None:
    """A Chinese input method in full-width mode, or a code copied with its spaces."""
    assert normalized("９１３６０２００ＭＡ３５Ｂ０００１Ｍ") == "91360200MA35B0001M"
    assert normalized("9136 0200 MA35 B000 1M\u3000") == "91360200MA35B0001M"


@pytest.mark.parametrize(("code", "key", "params"), [
    ("91360200MA35B0001", "field.credit_code_length", {"count": 17}),
    ("91360200MI35B0001M", "field.credit_code_character", {"position": 10, "char": "I"}),
    ("913602A0MA35B0001M", "field.credit_code_character", {"position": 7, "char": "A"}),
    ("91360200MA35B0001X", "field.credit_code_check", {}),
])
def test_the_clerk_is_told_what_to_correct(code: str, key: str, params: dict[str, object]
                                           ) -> None:
    said = problem(code)
    assert (said.key, said.params) == (key, params)


FORM = {"type": "object", "properties": {
    "credit_code": {"type": "string", "format": "credit-code", "title": "统一社会信用代码"}}}


def test_a_form_refuses_a_wrong_check_character_beside_the_field() -> None:
    validate(FORM, {"credit_code": "91360200MA35B0001M"})
    with pytest.raises(InvalidData) as caught:
        validate(FORM, {"credit_code": "91360200MA35B0001X"})
    said = caught.value.field_said["credit_code"]
    assert said.key == "field.credit_code_check"
    assert said.render("zh") == "校验码（第18位）与前17位不符，请对照营业执照逐位核对"


def test_an_enterprise_user_needs_a_valid_code(engine: Engine) -> None:
    with pytest.raises(InvalidData) as caught:
        engine.add_user("qiye", ["enterprise"], credit_code="91360200MA35B0001X")
    assert "credit_code" in caught.value.field_errors
    engine.add_user("qiye", ["enterprise"], credit_code=" 91360200ma35b0001m")
    assert engine.user("qiye").credit_code == "91360200MA35B0001M"
    engine.add_user("qiye", ["enterprise"], credit_code="")
    assert engine.user("qiye").credit_code is None
