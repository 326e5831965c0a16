"""A timezone is a canonical IANA name (Laravel's ``timezone`` rule), never a host oddity."""

from __future__ import annotations

import pytest

from webwork.kit.zones import canonical_timezones, is_timezone


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "Europe/Kyiv", "America/Argentina/Buenos_Aires"])
def test_canonical_names_are_timezones(name: str) -> None:
    assert is_timezone(name)


@pytest.mark.parametrize(
    "name",
    [
        "localtime",
        "Factory",
        "posixrules",
        "US/Eastern",
        "Asia/Calcutta",
        "posix/Europe/Berlin",
        "utc",
        "",
        None,
    ],
)
def test_host_files_aliases_and_non_names_are_not(name: object) -> None:
    assert not is_timezone(name)


def test_the_list_is_the_tz_database_s() -> None:
    assert 400 < len(canonical_timezones()) < 500
