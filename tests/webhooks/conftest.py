"""Fixtures of the webhook tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from tests.webhooks.helpers import permissive
from webwork.config import Settings


@pytest.fixture()
def local(app: FastAPI) -> Iterator[Settings]:
    """The operator allows http and private addresses (a receiver on their own network,
    here the tests' on 127.0.0.1): the app's settings, and those the worker is given."""
    previous: Settings = app.state.settings
    app.state.settings = permissive(previous)
    try:
        yield app.state.settings
    finally:
        app.state.settings = previous
