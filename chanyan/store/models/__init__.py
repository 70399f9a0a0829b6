"""SQLAlchemy models of the requests database, one module per area; importing this package registers them all.

Rasa's SQL tracker store keeps its own `events` table in the same database by default; it is not ours and
migrations leave it alone.
"""

from chanyan.store.models.base import NAMING_CONVENTION, Base, utcnow
from chanyan.store.models.channels import ChannelIncident
from chanyan.store.models.conversations import OUTBOUND_STATUSES, OutboundMessage
from chanyan.store.models.followup import (
    Agreement,
    AgreementParty,
    EventLink,
    FollowupEvent,
    FollowupTask,
    ServiceRecord,
)
from chanyan.store.models.notifications import NOTIFICATION_STATUSES, Notification
from chanyan.store.models.partners import Candidate, CandidateEvent, Partner, PartnerAudit, RegistryState
from chanyan.store.models.preferences import SavedFilter
from chanyan.store.models.requests import (
    SEARCH_FIELDS,
    AuditEntry,
    Handoff,
    ProgressNotice,
    Request,
    RequestNote,
    StatusChange,
    StatusLookup,
    request_search_text,
)
from chanyan.store.models.staff import STAFF_ROLES, ApiToken, StaffSession, StaffUser

__all__ = [
    "NAMING_CONVENTION",
    "NOTIFICATION_STATUSES",
    "OUTBOUND_STATUSES",
    "SEARCH_FIELDS",
    "STAFF_ROLES",
    "Agreement",
    "AgreementParty",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Candidate",
    "CandidateEvent",
    "ChannelIncident",
    "EventLink",
    "FollowupEvent",
    "FollowupTask",
    "Handoff",
    "Notification",
    "OutboundMessage",
    "Partner",
    "ProgressNotice",
    "PartnerAudit",
    "RegistryState",
    "Request",
    "RequestNote",
    "SavedFilter",
    "ServiceRecord",
    "StaffSession",
    "StaffUser",
    "StatusChange",
    "StatusLookup",
    "request_search_text",
    "utcnow",
]
