"""Authorization in one place: what each role may do, and within which scope."""

from __future__ import annotations

from cc112.accounts.models import User
from cc112.errors import Forbidden, NotFound

ALL = frozenset({"operator", "supervisor", "agency_dispatcher", "responder", "leader", "admin"})
INTAKE = frozenset({"operator", "supervisor"})
AGENCY_ROLES = frozenset({"agency_dispatcher", "responder"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "contact.create": INTAKE,
    "contact.read": INTAKE | {"leader", "admin"},
    "contact.classify": INTAKE,
    "caller.history": INTAKE,
    "personal.view": INTAKE,  # unmasked caller numbers and names, always audited
    "incident.create": INTAKE,
    "incident.read": ALL,
    "incident.verify": INTAKE,
    "incident.close": INTAKE,
    "incident.cancel": INTAKE,
    "incident.merge": INTAKE,
    "assignment.create": INTAKE,
    "assignment.status": frozenset({"supervisor", "agency_dispatcher", "responder"}),
    "incident.note": frozenset({"operator", "supervisor", "agency_dispatcher", "responder"}),
    "assignment.support": frozenset({"operator", "supervisor", "agency_dispatcher"}),
    "unit.position": frozenset({"responder", "agency_dispatcher", "supervisor"}),
    "analytics.read": frozenset({"supervisor", "leader", "admin"}),
    "targets.manage": frozenset({"admin"}),
    "catalog.read": ALL,
    "map.read": ALL,
    "events.stream": ALL,
    "user.manage": frozenset({"admin"}),
    # CAP public alerts: a supervisor composes, a second supervisor approves (never the composer).
    "alert.compose": frozenset({"supervisor"}),
    "alert.approve": frozenset({"supervisor"}),
    "alert.read": frozenset({"supervisor", "leader", "admin"}),
}

# Statuses a responder may set; acknowledging or declining is the dispatcher's call.
RESPONDER_STATUSES = frozenset({"en_route", "on_scene", "completed"})

_WHAT = {
    "contact.create": "record contacts",
    "contact.read": "read contacts",
    "contact.classify": "classify contacts",
    "caller.history": "see caller history",
    "incident.create": "create incidents",
    "incident.verify": "verify incidents",
    "incident.close": "close incidents",
    "incident.cancel": "cancel incidents",
    "incident.merge": "merge incidents",
    "assignment.create": "dispatch agencies",
    "assignment.status": "change assignment status",
    "user.manage": "manage users",
    "analytics.read": "read the dashboard",
    "targets.manage": "change agency targets",
    "alert.compose": "compose public alerts",
    "alert.approve": "approve or reject public alerts",
    "alert.read": "read public alert drafts",
}


def allowed(user: User, permission: str) -> bool:
    return user.is_active and user.role in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    """Raise Forbidden with a sentence the person can act on."""
    if not allowed(user, permission):
        what = _WHAT.get(permission, permission)
        raise Forbidden(f"your role ({user.role}) may not {what}")


def same_jurisdiction(user: User, jurisdiction_id: int, what: str = "incident") -> None:
    # Another jurisdiction's objects do not exist for this user: 404, not 403.
    if user.jurisdiction_id != jurisdiction_id:
        raise NotFound(f"{what} not found")


def sees_all_incidents(user: User) -> bool:
    return user.role not in AGENCY_ROLES


def check_incident(user: User, jurisdiction_id: int, assigned_agency_ids: set[int]) -> None:
    """An agency user sees an incident only while it is assigned to their agency."""
    same_jurisdiction(user, jurisdiction_id)
    if not sees_all_incidents(user) and user.agency_id not in assigned_agency_ids:
        raise NotFound("incident not found (not assigned to your agency)")


def check_assignment_status(user: User, agency_id: int, status: str) -> None:
    require(user, "assignment.status")
    if user.role in AGENCY_ROLES and user.agency_id != agency_id:
        raise Forbidden("this assignment belongs to another agency")
    if user.role == "responder" and status not in RESPONDER_STATUSES:
        raise Forbidden("responders may set en_route, on_scene or completed; ask your dispatcher")
    # Standing an agency down is the command center's call; an agency that cannot go declines with a
    # reason, which prompts the supervisor to reroute (a silent cancel would leave nobody going).
    if user.role in AGENCY_ROLES and status == "cancelled":
        raise Forbidden("only the command center stands an assignment down; decline it with a reason instead")


def may_view_personal(user: User) -> bool:
    return allowed(user, "personal.view")
