"""`/time-entries`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/time-entries", tags=["Time Entries"])
