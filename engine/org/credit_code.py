"""The 统一社会信用代码 (unified social credit code, GB 32100-2015) of an enterprise.

Eighteen characters from the code's alphabet (digits and capitals without I, O, S, V, Z): the
registering authority and kind, the 6-digit area code, the 9-character organization code and a
check character computed from the other seventeen. The check character catches a mistyped or
swapped character, which a pattern alone lets through and which would file an application
under another enterprise.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from engine.errors import InvalidData
from engine.messages import Msg, msg
from engine.views import UserView

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


def normalized(code: str) -> str:
    """As stored and compared: half-width (a Chinese input method in full-width mode types
    ９１３６…), without blanks (a code copied from a licence may be spaced), in capitals."""
    return "".join(unicodedata.normalize("NFKC", code).split()).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """Whether ``code`` (exactly as given) is a well-formed code with the right check
    character."""
    return bool(_SHAPE.fullmatch(code)) and check_character(code[:17]) == code[17]


def problem(code: str) -> Msg:
    """What is wrong with a code that is not valid, for the clerk to correct: its length,
    its first character outside the alphabet, or its check character."""
    if len(code) != 18:
        return msg("field.credit_code_length", count=len(code))
    for position, char in enumerate(code, start=1):
        digits_only = 3 <= position <= 8  # the area code
        if char not in ALPHABET or (digits_only and not char.isdigit()):
            return msg("field.credit_code_character", position=position, char=char)
    return msg("field.credit_code_check")


FIELD = "credit_code"  # the applicant's code in a start form


def check_own(schema: Mapping[str, Any] | None, data: Mapping[str, Any],
              user: UserView) -> None:
    """An enterprise with a registered code applies for itself: a start form's
    ``credit_code`` must be its own code (a field error otherwise). Windows and other
    starters file for any enterprise."""
    if "enterprise" not in user.roles or not user.credit_code:
        return
    if FIELD not in ((schema or {}).get("properties") or {}):
        return
    value = data.get(FIELD)
    if isinstance(value, str) and normalized(value) == user.credit_code:
        return
    raise InvalidData({FIELD: msg("field.credit_code_not_own", code=user.credit_code)},
                      msg("form.invalid"))
