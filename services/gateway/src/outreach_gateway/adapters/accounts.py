"""Workspaces and people in the gateway's database.

A person's email is claimed by inserting it as the `_id` of `logins` (unique inserts are the one
arbitration FerretDB makes atomic), so an email signs in to exactly one person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

INDEXES = [
    IndexSpec("people", [("workspace_id", 1), ("email", 1)], name="people_by_workspace"),
    IndexSpec("keys", [("workspace_id", 1), ("created_at", -1)], name="keys_by_workspace"),
    IndexSpec("audit", [("workspace_id", 1), ("at", -1)], name="audit_by_workspace"),
]


class EmailTakenError(Exception):
    """Another person already signs in with this email."""


class Accounts:
    """Workspaces, people and their sign-in emails."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.workspaces = db["workspaces"]
        self.people = db["people"]
        self.logins = db["logins"]

    async def add_workspace(self, *, workspace_id: str, name: str, at: datetime) -> None:
        """A new workspace."""
        await self.workspaces.insert_one({"_id": workspace_id, "name": name, "created_at": at})

    async def workspace(self, workspace_id: str) -> Document | None:
        """One workspace."""
        return await self.workspaces.find_one({"_id": workspace_id})

    async def add_person(self, person: Document) -> None:
        """Claim the email, then store the person (EmailTakenError when the email is someone's already)."""
        email = person["email"]
        try:
            await self.logins.insert_one({"_id": email, "person_id": person["_id"]})
        except DuplicateKeyError as exc:
            raise EmailTakenError(email) from exc
        await self.people.insert_one(person)

    async def by_email(self, email: str) -> Document | None:
        """The person who signs in with `email`."""
        login = await self.logins.find_one({"_id": email})
        return None if login is None else await self.people.find_one({"_id": login["person_id"]})

    async def person(self, person_id: str) -> Document | None:
        """One person."""
        return await self.people.find_one({"_id": person_id})

    async def by_invitation(self, token_digest: str) -> Document | None:
        """The person an open invitation was made for."""
        return await self.people.find_one({"invitation": token_digest})

    async def update_person(self, person_id: str, changes: Document, unset: tuple[str, ...] = ()) -> None:
        """Change a person's fields."""
        update: dict[str, Any] = {"$set": changes}
        if unset:
            update["$unset"] = dict.fromkeys(unset, "")
        await self.people.update_one({"_id": person_id}, update)

    async def people_of(self, workspace_id: str) -> list[Document]:
        """The workspace's people, by email."""
        return [d async for d in self.people.find({"workspace_id": workspace_id}).sort("email", 1)]

    async def remove_person(self, person: Document) -> None:
        """Remove a person and free their email."""
        await self.people.delete_one({"_id": person["_id"]})
        # race: the email's login names this person only; a second removal deletes nothing
        await self.logins.delete_one({"_id": person["email"], "person_id": person["_id"]})
