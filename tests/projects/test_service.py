"""Pure rules of the projects service: list filters and the LIKE pattern."""

from __future__ import annotations

import pytest

from webwork.kit.errors import ValidationFailed
from webwork.projects.repository import like_pattern
from webwork.projects.service import parse_status_filter


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("Web", "%web%"),
        ("100%", "%100\\%%"),
        ("a_b", "%a\\_b%"),
        ("back\\slash", "%back\\\\slash%"),
    ],
)
def test_like_pattern_escapes_wildcards(text: str, pattern: str) -> None:
    assert like_pattern(text) == pattern


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 1), ("", 1), ("1", 1), ("0", 0), ("all", None), ("ALL", None), ("active", 1), ("archived", 0)],
)
def test_status_filter(value: str | None, expected: int | None) -> None:
    assert parse_status_filter(value) == expected


@pytest.mark.parametrize("value", ["2", "deleted", "-1"])
def test_status_filter_rejects_unknown_values(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_status_filter(value)
    assert caught.value.errors == {"status": ["The selected status is invalid."]}
