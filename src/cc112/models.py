"""Import every domain's models so Base.metadata knows all tables (Alembic, tests)."""

from cc112.accounts.models import AuditEntry, User, UserSession
from cc112.agencies.models import Agency, AgencyTarget, Unit
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.contacts.models import CallerBlock, Contact
from cc112.db import Base
from cc112.dispatch.models import Assignment
from cc112.events.models import Event
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import Incident, TicketCounter

__all__ = [
    "Agency", "AgencyTarget", "Assignment", "AuditEntry", "Base", "CallerBlock", "Contact", "Event",
    "Incident", "IncidentType", "Jurisdiction", "Region", "RoutingRule", "TicketCounter", "Unit", "User",
    "UserSession",
]
