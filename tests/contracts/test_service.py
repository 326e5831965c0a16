"""Pure rules of the contracts service: the status filter and who sees a rate."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from webwork.auth.principal import Actor
from webwork.contracts.schemas import ContractView
from webwork.contracts.service import parse_status_filter, shows_rate
from webwork.kit.errors import ValidationFailed


def test_status_filter() -> None:
    assert parse_status_filter(None) is None
    assert parse_status_filter("") is None
    assert parse_status_filter("active") == "active"
    assert parse_status_filter("paused") == "paused"
    with pytest.raises(ValidationFailed) as caught:
        parse_status_filter("ended")
    assert caught.value.errors == {"status": ["The selected status is invalid."]}


def _actor(role: str, rate_status: int, user_id: int = 1) -> Actor:
    principal = SimpleNamespace(user=SimpleNamespace(id=user_id))
    membership = SimpleNamespace(role=role, rate_status=rate_status)
    return Actor(principal=cast(Any, principal), workspace=cast(Any, None), membership=cast(Any, membership))


def _view(user_id: int, billable: bool) -> ContractView:
    return ContractView(cast(Any, SimpleNamespace(user_id=user_id)), "P", billable, cast(Any, None))


@pytest.mark.parametrize(
    ("role", "rate_status", "contract_user", "billable", "shown"),
    [
        ("owner", 1, 2, True, True),
        ("owner", 1, 2, False, False),
        ("executive_manager", 0, 2, True, True),
        ("member", 1, 1, True, True),
        ("member", 1, 1, False, False),
        ("member", 0, 1, True, False),
        ("member", 1, 2, True, False),
        ("project_manager", 1, 2, True, False),
        ("team_manager", 1, 2, True, False),
    ],
)
def test_rate_shown_only_with_permission_on_billable_projects(
    role: str, rate_status: int, contract_user: int, billable: bool, shown: bool
) -> None:
    assert shows_rate(_actor(role, rate_status), _view(contract_user, billable)) is shown
