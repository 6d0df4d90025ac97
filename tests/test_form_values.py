"""Posted strings read as people type them: amounts with a currency sign, group separators or
元, full-width digits from a Chinese input method; a phone number in full-width mode fits its
pattern; text that fits neither way reaches the engine as typed, which names the problem (a
field left blank among spaces is 必填, not 格式不正确)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.definitions import forms as engine_forms
from engine.errors import InvalidData
from web.ui.form_values import value_of
from web.ui.forms import Field

PHONE = "^[0-9+\\- ]{7,20}$"
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("typed", "read"), [
    ("¥50,000.00", 50000.0), ("￥50，000", 50000), ("５００００元", 50000), ("RMB 1,200", 1200),
    ("1 200.5", 1200.5), ("３６０００", 36000),
    ("三万", "三万"), ("nan", "nan"), ("50000美元", "50000美元"), ("", ""),
])
def test_amounts_as_people_write_them(typed: str, read: Any) -> None:
    assert value_of(Field("amount", "金额（元）", "number", False), typed) == read


@pytest.mark.parametrize(("typed", "read"), [
    ("１３８００１３８０００", "13800138000"),  # full-width digits
    ("０７９８－８８８８８８８", "0798-8888888"),  # and a full-width hyphen
    ("0798—8888888", "0798-8888888"),  # an em dash typed for the hyphen
    ("13800138000", "13800138000"),
    ("电话１３８", "电话１３８"),  # fits neither way: left for the engine to name
])
def test_a_full_width_phone_number_fits_its_pattern(typed: str, read: str) -> None:
    assert value_of(Field("phone", "联系电话", "text", False, pattern=PHONE), typed) == read


def test_text_that_fits_its_pattern_keeps_its_full_width_punctuation() -> None:
    field = Field("summary", "摘要", "text", False, pattern="\\S")
    assert value_of(field, "某局（二科）：１号窗口") == "某局（二科）：１号窗口"


def test_a_blank_pattern_field_is_required_not_malformed() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "\\S"}}}
    with pytest.raises(InvalidData) as refused:
        engine_forms.validate(schema, {"name": "   "})
    assert refused.value.field_errors["name"] == "此项为必填项"
    with pytest.raises(InvalidData) as refused:
        engine_forms.validate({**schema, "properties": {"name": {
            "type": "string", "pattern": "^[0-9]+$"}}}, {"name": "abc"})
    assert refused.value.field_errors["name"] == "格式不正确"


def test_every_shipped_phone_field_says_what_it_takes() -> None:
    def phones(props: dict[str, Any]) -> list[dict[str, Any]]:
        return [p for p in props.values() if isinstance(p, dict)
                and p.get("pattern", "").startswith("^[0-9+\\- ]")]
    found = [(f.name, p) for f in sorted((ROOT / "forms").glob("*.json"))
             for p in phones(json.loads(f.read_text(encoding="utf-8"))["properties"])]
    assert len(found) >= 7
    assert [name for name, p in found if "电话号码" not in p.get("x-pattern-message", "")] == []
