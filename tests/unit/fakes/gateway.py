"""In-memory fakes of the gateway's stores: accounts (people, workspaces), credentials (keys, sessions) and
the audit log, with the store's one rule: an email signs in to one person only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_common.mongo import Document
from outreach_gateway.adapters.accounts import EmailTakenError


class FakeAccounts:
    def __init__(self) -> None:
        self.workspaces: dict[str, Document] = {}
        self.people: dict[str, Document] = {}

    async def add_workspace(self, *, workspace_id: str, name: str, at: datetime) -> None:
        self.workspaces[workspace_id] = {"_id": workspace_id, "name": name, "created_at": at}

    async def workspace(self, workspace_id: str) -> Document | None:
        return self.workspaces.get(workspace_id)

    async def add_person(self, person: Document) -> None:
        if any(p["email"] == person["email"] for p in self.people.values()):
            raise EmailTakenError(person["email"])
        self.people[person["_id"]] = {**person}

    async def by_email(self, email: str) -> Document | None:
        return next((p for p in self.people.values() if p["email"] == email), None)

    async def person(self, person_id: str) -> Document | None:
        return self.people.get(person_id)

    async def by_invitation(self, token_digest: str) -> Document | None:
        return next((p for p in self.people.values() if p.get("invitation") == token_digest), None)

    async def update_person(self, person_id: str, changes: Document, unset: tuple[str, ...] = ()) -> None:
        person = self.people[person_id]
        person.update(changes)
        for field in unset:
            person.pop(field, None)

    async def people_of(self, workspace_id: str) -> list[Document]:
        return [p for p in self.people.values() if p["workspace_id"] == workspace_id]

    async def remove_person(self, person: Document) -> None:
        self.people.pop(person["_id"], None)


class FakeCredentials:
    def __init__(self) -> None:
        self.keys: dict[str, Document] = {}
        self.sessions: dict[str, Document] = {}
        self.touched: list[str] = []

    async def add_key(self, key: Document) -> None:
        self.keys[key["_id"]] = {**key}

    async def key(self, key_id: str) -> Document | None:
        return self.keys.get(key_id)

    async def keys_of(self, workspace_id: str) -> list[Document]:
        return [k for k in self.keys.values() if k["workspace_id"] == workspace_id]

    async def revoke_key(self, key_id: str, *, at: datetime) -> None:
        self.keys[key_id]["revoked_at"] = at

    async def touch_key(self, key_id: str, *, at: datetime) -> None:
        self.touched.append(key_id)

    async def add_session(self, session: Document) -> None:
        self.sessions[session["_id"]] = session

    async def session(self, token_digest: str) -> Document | None:
        return self.sessions.get(token_digest)

    async def end_session(self, token_digest: str) -> None:
        self.sessions.pop(token_digest, None)

    async def end_sessions_of(self, person_id: str) -> None:
        self.sessions = {k: s for k, s in self.sessions.items() if s["person_id"] != person_id}


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    async def record(self, *, workspace_id: str, actor: str, action: str, target: str, at: datetime,
                     **details: Any) -> None:  # fmt: skip
        self.entries.append({"workspace_id": workspace_id, "actor": actor, "action": action, "target": target,
                             "at": at, **details})  # fmt: skip
