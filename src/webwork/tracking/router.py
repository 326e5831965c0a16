"""`/time-tracking`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/time-tracking", tags=["Time Tracking"])
