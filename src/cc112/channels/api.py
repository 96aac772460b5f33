"""The SMS gateway webhook (inbound messages) and the outbox sweeper's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from cc112.channels import outbound, signing
from cc112.channels import service as sms
from cc112.channels.schemas import INBOUND_BODY, InboundResult, InboundSms
from cc112.deps import AppDatabase, AppSettings, DbSession
from cc112.errors import Invalid


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the outbox sweeper beside the app (replies still due after an outage or a restart)."""
    settings = app.state.settings
    task = None
    if settings.sms_sweep_seconds > 0:
        task = asyncio.create_task(outbound.run_forever(app.state.db, settings))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


router = APIRouter(prefix="/channels/sms", tags=["channels"], lifespan=lifespan)


async def _fields(request: Request, body: bytes) -> dict[str, Any]:
    """The gateway's fields from a JSON object or a form (urlencoded or multipart)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or (not content_type and body.lstrip().startswith(b"{")):
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Invalid("the body is not valid JSON", field="body")
        if not isinstance(data, dict):
            raise Invalid("the body must be a JSON object with message_id, sender and text", field="body")
        return data
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    raise Invalid("send the message as JSON or as a form (application/x-www-form-urlencoded)", field="body")


@router.post("/inbound", response_model=InboundResult, openapi_extra={"requestBody": INBOUND_BODY})
async def inbound_sms(
    request: Request, db: DbSession, settings: AppSettings, database: AppDatabase, background: BackgroundTasks,
) -> InboundResult:
    """Receive one SMS from the gateway (HMAC-signed); a repeated message id returns the first result."""
    body = await request.body()
    signing.verify(settings.sms_secret, body, request.headers.get(signing.HEADER))
    try:
        sms_in = InboundSms.model_validate(await _fields(request, body))
    except ValidationError as exc:
        raise RequestValidationError(exc.errors())
    result, reply_id = await sms.receive(db=db, sms_in=sms_in, settings=settings)
    if reply_id is not None:
        # Background tasks run after the response, i.e. after the request's commit.
        background.add_task(outbound.deliver, database=database, settings=settings, message_id=reply_id)
    return result
