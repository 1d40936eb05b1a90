"""What CRM handlers need, and opening a stored connection as its CRM's connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from outreach_common.mongo import Document

from outreach_ingest.adapters.crm.gohighlevel import GoHighLevel
from outreach_ingest.adapters.crm.hubspot import HubSpot
from outreach_ingest.adapters.crm.leaddocket import LeadDocket
from outreach_ingest.adapters.crm.monday import Monday
from outreach_ingest.adapters.crm.salesforce import Salesforce
from outreach_ingest.adapters.crm.secrets import TokenBox
from outreach_ingest.adapters.crm_store import CrmStore
from outreach_ingest.domain.crm import CallFacts, Page
from outreach_ingest.handlers.dnc import DncDeps
from outreach_ingest.handlers.import_deps import Deps

TOKEN_CONNECTORS: dict[str, type[HubSpot] | type[GoHighLevel]] = {"hubspot": HubSpot, "gohighlevel": GoHighLevel}


class Connector(Protocol):
    """What a sync and a write-back ask of a CRM."""

    kind: str

    async def check(self) -> str: ...

    def properties(self, mapping: dict[str, str]) -> list[str]: ...

    def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]: ...

    async def log_call(self, record_id: str, call: CallFacts) -> str: ...

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None: ...

    async def find_call(self, record_id: str, call: CallFacts) -> str | None: ...

    async def mark_opted_out(self, record_id: str) -> None: ...

    async def close(self) -> None: ...


@dataclass
class CrmDeps:
    """The CRM collections, the key box, where each CRM is reached, and the import and do-not-call wiring
    a sync hands its records to."""

    store: CrmStore
    box: TokenBox
    imports: Deps
    dnc: DncDeps
    upload_dir: Path
    base_urls: dict[str, str]
    oauth: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> client_id, client_secret
    running: set[str] = field(default_factory=set)  # sync ids this process runs

    def open(self, connection: Document) -> Connector:
        """The connector of a stored connection; refreshed OAuth tokens are sealed back into it."""
        secrets: dict[str, Any] = self.box.open(connection["sealed"])

        async def save(updated: dict[str, Any]) -> None:
            await self.store.update_connection(connection["_id"], {"sealed": self.box.seal(updated)})

        kind, settings = connection["kind"], connection.get("settings", {})
        if kind in TOKEN_CONNECTORS:
            base_url, oauth = self.base_urls[kind], self.oauth.get(kind)
            return TOKEN_CONNECTORS[kind](secrets, base_url=base_url, settings=settings, oauth=oauth, save=save)
        if kind == "monday":
            column = settings.get("opt_out_property")
            return Monday(secrets, base_url=self.base_urls["monday"], opt_out_column=column)
        if kind == "salesforce":
            return Salesforce(
                secrets, login_url=self.base_urls["salesforce"], oauth=self.oauth.get("salesforce"), save=save
            )
        if kind == "leaddocket":
            return LeadDocket(
                secrets, base_url=settings["base_url"], status_after_call=settings.get("status_after_call")
            )
        raise ValueError(f"no connector for {kind}")
