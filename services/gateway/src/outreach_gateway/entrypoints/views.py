"""What the gateway's own API answers (keys, people, the audit log), as models, so the public OpenAPI
document and the console's generated client name every field."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class KeyView(BaseModel):
    """An API key's record (never its secret, except `secret` once when it is made)."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    prefix: str = Field(description="The start of the key, to recognise it")
    scopes: list[str]
    created_at: datetime
    created_by: str | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class KeyCreated(KeyView):
    """A key just made or rotated, with its secret (shown this once)."""

    secret: str


class PersonView(BaseModel):
    """A person of the workspace."""

    model_config = ConfigDict(extra="allow")

    id: str
    email: str
    role: str
    created_at: datetime | None = None
    invited: bool = Field(description="The invitation is still open")


class PersonInvited(PersonView):
    """A person just invited, with the invitation token (shown this once)."""

    invitation_token: str


class AuditEntry(BaseModel):
    """One change: who, what, on what, when, and its details."""

    model_config = ConfigDict(extra="allow")

    id: str
    actor: str
    action: str
    target: str
    at: datetime


class AuditPage(BaseModel):
    """Newest first; `next` goes back as `after`."""

    items: list[AuditEntry]
    next: str | None
