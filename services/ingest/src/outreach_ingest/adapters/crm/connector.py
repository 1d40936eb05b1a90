"""What every CRM connection shares."""

from __future__ import annotations

from outreach_ingest.adapters.crm.http import CrmHttp


class Connector:
    """One HTTP client, closed with the connection; a sync reads the mapped fields unless a CRM needs more."""

    kind: str
    http: CrmHttp

    async def close(self) -> None:
        await self.http.close()

    def properties(self, mapping: dict[str, str]) -> list[str]:
        """The fields a sync reads."""
        return sorted(set(mapping.values()))
