"""The one rule for what counts as a timezone, wherever a timezone is accepted.

``zoneinfo.available_timezones()`` is what the machine happens to have: it includes
``localtime`` (this host's zone, whatever it is), ``Factory`` (a placeholder zone
called "-00"), ``posixrules`` and the deprecated aliases (``US/Eastern``,
``Asia/Calcutta``). The hosted API validates like Laravel's ``timezone`` rule, which
accepts the canonical IANA names only: those of the tz database's ``zone.tab``, plus
``UTC``. The list is read from the ``tzdata`` package, so it does not depend on the
host either."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def canonical_timezones() -> frozenset[str]:
    table = files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return frozenset({"UTC", *(row[2] for row in rows)})


def is_timezone(name: object) -> bool:
    return isinstance(name, str) and name in canonical_timezones()
