"""The XML Schema validator's common complaints (libxml2 says them in English) as catalogue
messages, so that a designer reads them in their own language; any other keeps the library's
text after the catalogue's lead-in."""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.messages import Msg, msg

_QNAME = re.compile(r"\{[^}]*\}")
_SUBJECT = re.compile(r"Element '([^']+)'(?:, attribute '([^']+)')?: (.*)", re.S)


def _names(listed: str | None) -> list[str]:
    """``( {ns}a, {ns}b )`` as the local names a, b."""
    return [_QNAME.sub("", n).strip() for n in (listed or "").split(",") if n.strip()]


def _value(found: re.Match[str], element: str, attribute: str | None) -> Msg:
    value, kind = found["value"], found["type"].split(":")[-1]
    if kind == "ID":  # ill-formed or, as often, the same id given twice
        return msg("xml.schema.bad_id", element=element, value=value)
    return msg("xml.schema.bad_value", element=element, attribute=attribute or "",
               value=value, type=kind)


def _unexpected(found: re.Match[str], element: str, attribute: str | None) -> Msg:
    expected = _names(found["expected"])
    if not expected:
        return msg("xml.schema.unexpected_element", element=element)
    return msg("xml.schema.unexpected_element_expected", element=element, expected=expected)


_Said = Callable[[re.Match[str], str, "str | None"], Msg]
_KNOWN: list[tuple[re.Pattern[str], _Said]] = [
    (re.compile(r"The attribute '(?P<a>[^']+)' is required but missing\."),
     lambda m, e, a: msg("xml.schema.attribute_missing", element=e, attribute=m["a"])),
    (re.compile(r"The attribute '(?P<a>[^']+)' is not allowed\."),
     lambda m, e, a: msg("xml.schema.attribute_not_allowed", element=e, attribute=m["a"])),
    (re.compile(r"'(?P<value>.*)' is not a valid value of the atomic type '(?P<type>[^']+)'\."),
     _value),
    (re.compile(r"\[facet 'enumeration'\] The value '(?P<value>.*)' is not an element of the "
                r"set \{(?P<set>.*)\}\."),
     lambda m, e, a: msg("xml.schema.not_in_set", element=e, attribute=a or "",
                         value=m["value"], allowed=[v.strip(" '") for v in m["set"].split(",")])),
    (re.compile(r"This element is not expected\.(?: Expected is (?:one of )?\( (?P<expected>.*) "
                r"\)\.)?"), _unexpected),
    (re.compile(r"Missing child element\(s\)\. Expected is (?:one of )?\( (?P<expected>.*) \)\."),
     lambda m, e, a: msg("xml.schema.missing_child", element=e, expected=_names(m["expected"]))),
    (re.compile(r"Character content other than whitespace is not allowed.*"),
     lambda m, e, a: msg("xml.schema.text_not_allowed", element=e)),
    (re.compile(r"No matching global declaration available for the validation root\."),
     lambda m, e, a: msg("xml.schema.wrong_root", element=e)),
]


def schema_message(text: str) -> Msg:
    """The message for one of the validator's errors (``Element '{ns}name': ...``)."""
    subject = _SUBJECT.fullmatch(text.strip())
    if subject is not None:
        element = _QNAME.sub("", subject[1])
        for pattern, said in _KNOWN:
            found = pattern.fullmatch(subject[3].strip())
            if found is not None:
                return said(found, element, subject[2])
    return msg("xml.schema", message=_QNAME.sub("", text.strip()))
