"""Assignment routes: dispatch agencies and move assignments along."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cc112.accounts import policy
from cc112.deps import CurrentUser, DbSession
from cc112.dispatch import service as dispatch
from cc112.incidents import present
from cc112.incidents.schemas import AssignmentCreate, AssignmentRead, AssignmentStatusIn, DispatchIn

router = APIRouter(prefix="/api/v1", tags=["dispatch"])


@router.post("/incidents/{incident_id}/assignments", status_code=201, response_model=AssignmentRead)
async def create_assignment(incident_id: int, assignment_in: AssignmentCreate, db: DbSession,
                            user: CurrentUser) -> AssignmentRead:
    """Request one agency (optionally a unit) for an incident."""
    policy.require(user, "assignment.create")
    assignment = await dispatch.assign(db=db, incident_id=incident_id, agency_code=assignment_in.agency,
                                       unit_code=assignment_in.unit, actor=user, role=assignment_in.role)
    return (await present.assignments_read(db, [assignment]))[0]


@router.post("/incidents/{incident_id}/dispatch", status_code=201, response_model=list[AssignmentRead])
async def dispatch_agencies(incident_id: int, dispatch_in: DispatchIn, db: DbSession,
                            user: CurrentUser) -> list[AssignmentRead]:
    """Request several agencies at once (all or none)."""
    policy.require(user, "assignment.create")
    rows = await dispatch.dispatch(db=db, incident_id=incident_id, agency_codes=dispatch_in.agencies, actor=user)
    return await present.assignments_read(db, rows)


@router.post("/assignments/{assignment_id}/status", response_model=AssignmentRead)
async def set_assignment_status(assignment_id: int, status_in: AssignmentStatusIn, db: DbSession,
                                user: CurrentUser) -> AssignmentRead:
    """Acknowledge, decline (with reason), en route, on scene, completed."""
    policy.require(user, "assignment.status")
    assignment = await dispatch.set_status(db=db, assignment_id=assignment_id, status_in=status_in, actor=user)
    return (await present.assignments_read(db, [assignment]))[0]


@router.get("/assignments", response_model=list[AssignmentRead])
async def list_assignments(db: DbSession, user: CurrentUser, active: bool = True,
                           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[AssignmentRead]:
    """Assignments of your agency (all agencies for the command center), newest first."""
    policy.require(user, "incident.read")
    rows = await dispatch.list_for_agency(db=db, actor=user, active_only=active, limit=limit)
    return await present.assignments_read(db, rows)
