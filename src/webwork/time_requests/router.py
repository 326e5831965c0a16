"""`/time-requests`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/time-requests", tags=["Time Requests"])
