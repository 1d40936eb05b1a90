"""Workspaces, people, sign-in and API keys: what the gateway's own endpoints do."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from outreach_common.clock import Clock
from outreach_common.identity import Role, Scope

from outreach_gateway.adapters.accounts import Accounts
from outreach_gateway.adapters.audit import AuditLog
from outreach_gateway.adapters.credentials import Credentials
from outreach_gateway.domain.credentials import digest, new_key, new_token

_HASHER = PasswordHasher()  # argon2id with the library's memory-hard defaults
_NO_ONE = _HASHER.hash(new_token())  # checked against when an email is unknown, so timing tells nothing


@dataclass
class AccountDeps:
    """What the account handlers use."""

    accounts: Accounts
    credentials: Credentials
    audit: AuditLog
    clock: Clock
    session_ttl_h: float


async def hash_password(password: str) -> str:
    """argon2id hash (off the event loop: it is slow on purpose)."""
    return await asyncio.to_thread(_HASHER.hash, password)


async def password_matches(hashed: str | None, password: str) -> bool:
    """True when `password` is the one hashed (always spends the same effort)."""
    try:
        return await asyncio.to_thread(_HASHER.verify, hashed or _NO_ONE, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


async def create_key(
    deps: AccountDeps, *, workspace_id: str, name: str, scopes: list[Scope], actor: str
) -> tuple[dict[str, Any], str]:
    """A new key's record and its secret (shown once)."""
    key = new_key()
    now = deps.clock.now()
    doc = {
        "_id": key.key_id,
        "workspace_id": workspace_id,
        "name": name,
        "prefix": key.display,
        "scopes": sorted(set(scopes)),
        "digest": key.digest,
        "created_at": now,
        "created_by": actor,
        "last_used_at": None,
        "revoked_at": None,
    }
    await deps.credentials.add_key(doc)
    await deps.audit.record(workspace_id=workspace_id, actor=actor, action="key.create", target=key.key_id, at=now)
    return doc, key.secret


async def create_workspace(deps: AccountDeps, *, name: str, admin_email: str, admin_password: str) -> tuple[str, str]:
    """A workspace with its first admin (who can sign in) and an admin key; (workspace id, key)."""
    now = deps.clock.now()
    workspace_id = f"ws_{uuid.uuid4().hex[:16]}"
    person = {
        "_id": f"per_{uuid.uuid4().hex[:16]}",
        "workspace_id": workspace_id,
        "email": admin_email,
        "role": "admin",
        "password": await hash_password(admin_password),
        "created_at": now,
    }
    await deps.accounts.add_person(person)  # first: a taken email leaves no workspace behind
    await deps.accounts.add_workspace(workspace_id=workspace_id, name=name, at=now)
    await deps.audit.record(
        workspace_id=workspace_id, actor="bootstrap", action="workspace.create", target=name, at=now
    )
    _, secret = await create_key(
        deps, workspace_id=workspace_id, name="bootstrap admin", scopes=["admin"], actor=f"person:{person['_id']}"
    )
    return workspace_id, secret


async def sign_in(deps: AccountDeps, *, email: str, password: str) -> tuple[str, dict[str, Any]] | None:
    """A session token and the person, or None for a wrong email or password."""
    person = await deps.accounts.by_email(email)
    if not await password_matches(person.get("password") if person else None, password) or person is None:
        return None
    token = new_token()
    session = {
        "_id": digest(token),
        "person_id": person["_id"],
        "workspace_id": person["workspace_id"],
        "role": person["role"],
        "expires_at": deps.clock.now() + timedelta(hours=deps.session_ttl_h),
    }
    await deps.credentials.add_session(session)
    return token, person


async def invite(
    deps: AccountDeps, *, workspace_id: str, email: str, role: Role, actor: str
) -> tuple[dict[str, Any], str]:
    """A person who sets their password with the returned invitation token (shown once)."""
    token = new_token()
    now = deps.clock.now()
    person = {
        "_id": f"per_{uuid.uuid4().hex[:16]}",
        "workspace_id": workspace_id,
        "email": email,
        "role": role,
        "password": None,
        "invitation": digest(token),
        "created_at": now,
    }
    await deps.accounts.add_person(person)
    await deps.audit.record(
        workspace_id=workspace_id, actor=actor, action="person.invite", target=email, at=now, role=role
    )
    return person, token


async def accept(deps: AccountDeps, *, token: str, password: str) -> dict[str, Any] | None:
    """Set the password of an invited person; None when the invitation is unknown or used."""
    person = await deps.accounts.by_invitation(digest(token))
    if person is None:
        return None
    await deps.accounts.update_person(person["_id"], {"password": await hash_password(password)}, unset=("invitation",))
    return person
