"""What the gateway's own API takes (workspaces, sign-in, keys, people) and how it shows a person."""

from __future__ import annotations

from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from fastapi import Request
from outreach_common.identity import Role, Scope
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from outreach_gateway.handlers import accounts


def _email(value: str) -> str:
    """A syntactically valid address, lower-cased (reserved domains such as `.test` are fine: teams use them
    for staging)."""
    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


Email = Annotated[str, Field(max_length=254, examples=["ops@example.com"]), AfterValidator(_email)]
Password = Annotated[str, Field(min_length=8, max_length=200, description="At least 8 characters")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceIn(_In):
    """A new workspace and its first admin."""

    name: str = Field(min_length=1, max_length=200)
    admin_email: Email
    admin_password: Password


class SignIn(_In):
    """Email and password."""

    email: Email
    password: str = Field(min_length=1, max_length=200)


class KeyIn(_In):
    """A new API key."""

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, description="read, write, admin (each implies the ones before)")


class InviteIn(_In):
    """A person to invite."""

    email: Email
    role: Role


class AcceptIn(_In):
    """An invitation and the password the invited person chose."""

    token: str = Field(min_length=1, max_length=200)
    password: Password


class WorkspaceView(BaseModel):
    """The caller's workspace and identity."""

    workspace_id: str
    name: str | None = None
    subject: str = Field(description="The person (`person:...`) or key (`key:...`) calling")
    scopes: list[str] = Field(description="What the caller may do: read, write, admin")


def account_deps(request: Request) -> accounts.AccountDeps:
    deps: accounts.AccountDeps = request.app.state.account_deps
    return deps


def person_view(doc: dict[str, Any]) -> dict[str, Any]:
    public = {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "password", "invitation")}}
    return {**public, "invited": "invitation" in doc}
