"""API keys and sessions in the gateway's database (only hashes of the secrets are stored)."""

from __future__ import annotations

from datetime import datetime

from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase


class Credentials:
    """Keys (by id) and sign-in sessions (by the hash of their token)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.keys = db["keys"]
        self.sessions = db["sessions"]

    async def add_key(self, key: Document) -> None:
        """Store a new key's record."""
        await self.keys.insert_one(key)

    async def key(self, key_id: str) -> Document | None:
        """One key record."""
        return await self.keys.find_one({"_id": key_id})

    async def keys_of(self, workspace_id: str) -> list[Document]:
        """The workspace's keys, newest first."""
        return [d async for d in self.keys.find({"workspace_id": workspace_id}).sort("created_at", -1)]

    async def revoke_key(self, key_id: str, *, at: datetime) -> None:
        """Mark a key revoked (it stays listed)."""
        # race: two revocations both set a revocation time; either stops the key
        await self.keys.update_one({"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at}})

    async def touch_key(self, key_id: str, *, at: datetime) -> None:
        """Record the key's last use."""
        await self.keys.update_one({"_id": key_id}, {"$set": {"last_used_at": at}})

    async def add_session(self, session: Document) -> None:
        """Store a sign-in session."""
        await self.sessions.insert_one(session)

    async def session(self, token_digest: str) -> Document | None:
        """The session of a token."""
        return await self.sessions.find_one({"_id": token_digest})

    async def end_session(self, token_digest: str) -> None:
        """Sign out."""
        await self.sessions.delete_one({"_id": token_digest})

    async def end_sessions_of(self, person_id: str) -> None:
        """Sign a removed person out everywhere."""
        # race: deleting a removed person's sessions is idempotent
        await self.sessions.delete_many({"person_id": person_id})
