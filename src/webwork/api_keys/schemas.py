from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from webwork.kit.types import Name, Timestamp


class ApiKeyCreate(BaseModel):
    name: Annotated[Name, Field(max_length=100)] = "default"


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(title="ApiKey", from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: Timestamp
    last_used_at: Timestamp | None = None


class ApiKeyCreated(ApiKeyOut):
    model_config = ConfigDict(title="ApiKeyCreated")

    key: str = Field(description="The key itself; shown only in this response.")
