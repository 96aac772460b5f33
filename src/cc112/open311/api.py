"""Open311 GeoReport v2 at /open311/v2, in JSON and XML (.json / .xml on every path).

No API key is required (an api_key sent by a client is ignored); filing is limited per IP and per
phone number like every public report, and can be retried safely with an Idempotency-Key header.
Errors are the spec's error arrays: 404 for what does not exist, 400 for anything else the
request got wrong, 429 (with Retry-After) when a limit is reached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import Response

from cc112.deps import AppSettings, DbSession
from cc112.errors import DomainError, Forbidden, NotFound, RateLimited
from cc112.open311 import filing, service, xml
from cc112.public import idempotency
from cc112.public.api import guard

PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311"])

MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
Format = Annotated[str, Path(description="json or xml (the format is the path's suffix)")]
_KNOWN = re.compile(r"^/(discovery|services|requests|servicerequestupdates)\.\w+$"
                    r"|^/(services|requests|tokens)/[^/]+\.\w+$")


def render(fmt: str, root: str, data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """The same data as JSON or as the spec's XML (`root` names the XML root element)."""
    body = (json.dumps(data, ensure_ascii=False).encode() if fmt == "json" else xml.render(root, data))
    return Response(body, status_code=status_code, media_type=MEDIA[fmt], headers=headers)


def errors(fmt: str, status_code: int, messages: list[str], headers: dict[str, str] | None = None) -> Response:
    """The spec's error array: one {code, description} per problem; code is the HTTP status."""
    fmt = fmt if fmt in MEDIA else "xml"  # XML is the format every GeoReport client reads
    return render(fmt, "errors", [{"code": status_code, "description": m} for m in messages], status_code, headers)


def _status(exc: DomainError) -> int:
    if isinstance(exc, NotFound | Forbidden | RateLimited):
        return exc.status_code
    return 400  # the spec: "basically 400 for any other error"


async def answer(request: Request, fmt: str, root: str, work: Callable[[], Awaitable[Any]]) -> Response:
    """Run `work` and render its data, or render its domain error as the spec's error array."""
    if fmt not in MEDIA:
        return errors("xml", 404, [f"format {fmt!r} is not offered; end the path with .xml or .json"])
    try:
        return render(fmt, root, await work())
    except DomainError as exc:
        db = getattr(request.state, "open311_db", None)
        if db is not None:  # nothing of a refused post may be committed (e.g. its idempotency key)
            await db.rollback()
            db.info.pop("pending_events", None)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        messages = exc.messages if isinstance(exc, service.Problems) else [exc.message]
        return errors(fmt, _status(exc), messages, headers)


def _joined(request: Request, name: str) -> str | None:
    """An argument that may be declared several times and/or comma-delimited."""
    values = [v for v in request.query_params.getlist(name) if v.strip()]
    return ",".join(values) or None


@router.get("/discovery.{fmt}")
async def discovery(request: Request, fmt: Format, db: DbSession, settings: AppSettings) -> Response:
    """Service Discovery: where this GeoReport v2 endpoint is, its formats, how to reach us."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, None)
        url = str(request.base_url).rstrip("/") + PREFIX
        return service.discovery(settings=settings, jur=jur, url=url)
    return await answer(request, fmt, "discovery", work)


@router.get("/services.{fmt}")
async def services(request: Request, fmt: Format, db: DbSession, settings: AppSettings,
                   jurisdiction_id: Annotated[str | None, Query(description="72.01; optional")] = None) -> Response:
    """GET Service List: the incident types a citizen can report (service_code = type code)."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, jurisdiction_id)
        return await service.list_services(db=db, settings=settings, jur=jur)
    return await answer(request, fmt, "services", work)


@router.get("/services/{service_code}.{fmt}")
async def service_definition(request: Request, service_code: str, fmt: Format, db: DbSession, settings: AppSettings,
                             jurisdiction_id: Annotated[str | None, Query()] = None) -> Response:
    """GET Service Definition: the attributes a report of this type may carry."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, jurisdiction_id)
        return await service.get_definition(db=db, jur=jur, code=service_code)
    return await answer(request, fmt, "service_definition", work)


@router.post("/requests.{fmt}")
async def create_request(
    request: Request, fmt: Format, db: DbSession, settings: AppSettings,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """POST Service Request (form-encoded): an unverified report for a call-taker; no API key needed."""
    async def work() -> Any:
        try:
            form = await request.form(max_files=0, max_fields=200)
        except Exception:  # malformed body, or a file: neither is a GeoReport v2 post
            raise service.Problems(["the body must be application/x-www-form-urlencoded fields"])
        post = filing.PostIn.from_form(form.multi_items())
        jur = await service.jurisdiction(db, settings, post.jurisdiction_id)
        checked = await filing.check(db=db, jur=jur, post=post)
        request.state.open311_db = db
        record, replay = await idempotency.begin(db, scope="open311.request", key=idempotency_key,
                                                 digest=idempotency.request_hash(post.digest_fields()))
        if replay is not None:
            return replay.body["service_requests"]
        await guard(request, settings, post.phone)
        filed = await filing.file(db=db, settings=settings, checked=checked)
        await idempotency.finish(db, record, status_code=200, body={"service_requests": [filed]})
        return [filed]
    return await answer(request, fmt, "service_requests", work)


@router.get("/requests.{fmt}")
async def list_requests(
    request: Request, fmt: Format, db: DbSession, settings: AppSettings,
    jurisdiction_id: Annotated[str | None, Query()] = None,
    service_request_id: Annotated[str | None, Query(description="comma-delimited tickets; overrides the rest")] = None,
    service_code: Annotated[str | None, Query(description="comma-delimited")] = None,
    start_date: Annotated[str | None, Query(description="W3C date-time with zone; default: 90 days ago")] = None,
    end_date: Annotated[str | None, Query(description="W3C date-time with zone; default: now")] = None,
    status: Annotated[str | None, Query(description="open, closed or both (comma-delimited)")] = None,
) -> Response:
    """GET Service Requests: real incidents of public types (at most 90 days, 1000 requests)."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, jurisdiction_id)
        return await service.list_requests(
            db=db, settings=settings, jur=jur, ids=_joined(request, "service_request_id"),
            codes=_joined(request, "service_code"), statuses=_joined(request, "status"),
            start_date=start_date, end_date=end_date)
    return await answer(request, fmt, "service_requests", work)


@router.get("/requests/{service_request_id}.{fmt}")
async def get_request(request: Request, service_request_id: str, fmt: Format, db: DbSession, settings: AppSettings,
                      jurisdiction_id: Annotated[str | None, Query()] = None) -> Response:
    """GET Service Request: one request by its ticket (BGI-20261128-0001)."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, jurisdiction_id)
        return await service.get_request(db=db, settings=settings, jur=jur, ticket=service_request_id)
    return await answer(request, fmt, "service_requests", work)


@router.get("/tokens/{token}.{fmt}")
async def token(request: Request, token: str, fmt: Format, db: DbSession, settings: AppSettings,
                jurisdiction_id: Annotated[str | None, Query()] = None) -> Response:
    """GET service_request_id from a token (ours resolve at once: requests are created synchronously)."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, jurisdiction_id)
        return await service.resolve_token(db=db, settings=settings, jur=jur, token=token)
    return await answer(request, fmt, "service_requests", work)


@router.get("/servicerequestupdates.{fmt}")
async def updates(
    request: Request, fmt: Format, db: DbSession, settings: AppSettings,
    jurisdiction_id: Annotated[str | None, Query()] = None,
    service_request_id: Annotated[str | None, Query(description="comma-delimited tickets; overrides dates")] = None,
    start_date: Annotated[str | None, Query()] = None, end_date: Annotated[str | None, Query()] = None,
) -> Response:
    """servicerequestupdates extension: status changes in public words (agency names, no people)."""
    async def work() -> Any:
        jur = await service.jurisdiction(db, settings, jurisdiction_id)
        return await service.list_updates(db=db, jur=jur, ids=_joined(request, "service_request_id"),
                                          start_date=start_date, end_date=end_date)
    return await answer(request, fmt, "service_request_updates", work)


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def not_here(request: Request, rest: str) -> Response:
    """Anything else under /open311/v2: the spec's error array rather than the API's JSON error."""
    fmt = rest.rsplit(".", 1)[-1] if "." in rest else "xml"
    if _KNOWN.match("/" + rest):
        return errors(fmt, 405, [f"{request.method} is not allowed here"],
                      headers={"Allow": "POST, GET" if rest.startswith("requests.") else "GET"})
    return errors(fmt, 404, [f"no Open311 resource at {PREFIX}/{rest}; see {PREFIX}/discovery.xml"])
