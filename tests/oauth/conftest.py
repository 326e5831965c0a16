"""OAuth tests speak to the app at http://localhost: OAuth needs HTTPS, or plain HTTP
on a loopback address, and the app reads its own address from the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import SettledTransport
from webwork.config import Settings

LOCAL = "http://localhost"


@pytest.fixture(autouse=True)
def local_address(app: FastAPI, settings: Settings) -> Iterator[None]:
    previous = app.state.settings
    app.state.settings = settings.model_copy(update={"public_url": LOCAL})
    try:
        yield
    finally:
        app.state.settings = previous


@pytest_asyncio.fixture(loop_scope="session")
async def web(app: FastAPI, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client (keeps cookies, follows no redirect) at the server's root."""
    async with httpx.AsyncClient(transport=SettledTransport(app), base_url=LOCAL) as client:
        yield client
