"""Events about contacts (produced by ingest)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outreach_contracts.envelope import Envelope, Frozen


class ContactData(Frozen):
    """What a campaign knows about a contact."""

    phone: str = Field(description="Phone number in E.164", examples=["+12125550123"])
    first_name: str | None = Field(default=None, description="First name", examples=["Ada"])
    last_name: str | None = Field(default=None, description="Last name", examples=["Lovelace"])
    email: str | None = Field(default=None, description="Email address", examples=["ada@example.com"])
    timezone: str | None = Field(default=None, description="Explicit IANA zone", examples=["America/Denver"])
    state: str | None = Field(default=None, description="US state code", examples=["FL"])
    postal_code: str | None = Field(default=None, description="Postal / ZIP code", examples=["33101"])
    fields: dict[str, str] = Field(
        default_factory=dict, description="Custom fields for templates and agents", examples=[{"plan": "gold"}]
    )


class ContactImported(Envelope):
    """A contact was imported into a campaign."""

    type: Literal["ContactImported"] = Field(default="ContactImported", description="Discriminator")
    campaign_id: str = Field(description="Campaign the contact was imported for", examples=["cmp_123"])
    contact_id: str = Field(description="Stable id of the contact", examples=["ct_9f2c"])
    import_id: str = Field(description="Import job that produced it", examples=["imp_42"])
    row: int = Field(ge=1, description="1-based data row in the uploaded file", examples=[7])
    contact: ContactData = Field(description="The contact's data")
