"""`/members`."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/members", tags=["Members"])
