"""SMS gateway payloads and results."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from cc112.schemas import Strict

Kind = Literal["keyword", "free_text", "unknown_keyword", "aml"]


class InboundSms(Strict):
    """One SMS as the gateway delivers it (form fields or JSON); unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, coerce_numbers_to_str=True)

    message_id: str = Field(..., min_length=1, max_length=100,
                            validation_alias=AliasChoices("message_id", "id", "gateway_id"),
                            description="the gateway's id for this message; a repeat is answered, not re-run")
    sender: str = Field(..., min_length=1, max_length=32, validation_alias=AliasChoices("sender", "from", "msisdn"),
                        description="the sender's number in any format (08…, +62…)")
    text: str = Field("", max_length=2000, validation_alias=AliasChoices("text", "message", "body"))
    sent_at: datetime | None = Field(None, validation_alias=AliasChoices("sent_at", "sent", "timestamp"),
                                     description="ISO 8601 or Unix seconds; without an offset, the "
                                                 "jurisdiction's local time")


class InboundResult(BaseModel):
    """What became of one inbound SMS (the same answer again for a repeated message id)."""

    id: int
    message_id: str
    kind: str
    status: str
    flags: list[str]
    contact_id: int | None
    ticket: str | None
    reply: Literal["queued", "none"]
    duplicate: bool = False


# The request body as documented in OpenAPI (the route reads the raw body to check its signature).
INBOUND_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": InboundSms.model_json_schema(by_alias=False)},
        "application/x-www-form-urlencoded": {"schema": InboundSms.model_json_schema(by_alias=False)},
    },
}
