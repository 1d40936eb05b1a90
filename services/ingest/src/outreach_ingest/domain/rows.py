"""Mapping CSV records to contacts and the verdict of each row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from zoneinfo import available_timezones

from email_validator import EmailNotValidError, validate_email
from outreach_contracts.contacts import ContactData

from outreach_ingest.domain.fastpath import email_fast
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.phones import InvalidPhone, normalise_phone

_ZONES = frozenset(available_timezones())


@dataclass(frozen=True)
class Verdict:
    """What happened to one data row."""

    row: int
    status: str  # imported | duplicate | invalid | suppressed
    contact: ContactData | None = None
    reason: str | None = None
    duplicate_of: int | None = None
    warnings: tuple[str, ...] = ()


def clean(value: str | None) -> str | None:
    """Strip spaces and a leading apostrophe; empty becomes None."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith("'"):
        value = value[1:].strip()
    return value or None


def contact_id(workspace_id: str, campaign_id: str, phone: str) -> str:
    """Deterministic contact id: the same number in the same campaign is the same contact."""
    return "ct_" + hashlib.sha256(f"{workspace_id}|{campaign_id}|{phone}".encode()).hexdigest()[:20]


def to_contact(record: dict[str, str], mapping: Mapping, *, row: int, default_region: str) -> Verdict:
    """The contact of one record, or an invalid verdict with the reason."""
    get = {name: clean(record.get(column)) for name, column in mapping.columns.items()}
    try:
        phone = normalise_phone(get.get("to_number"), default_region=default_region)
    except InvalidPhone as exc:
        return Verdict(row=row, status="invalid", reason=str(exc))
    warnings: list[str] = []
    email = get.get("email")
    if email:
        fast = email_fast(email)
        if fast is not None:
            email = fast
        else:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                warnings.append(f"invalid email dropped: {email}")
                email = None
    zone = get.get("timezone")
    if zone and zone not in _ZONES:
        warnings.append(f"unknown time zone dropped: {zone}")
        zone = None
    custom = {name: v for name, column in mapping.custom.items() if (v := clean(record.get(column))) is not None}
    state = get.get("state")
    contact = ContactData.model_construct(  # every field was checked above
        phone=phone,
        first_name=get.get("first_name"),
        last_name=get.get("last_name"),
        email=email,
        timezone=zone,
        state=state.upper() if state else None,
        postal_code=get.get("postal_code"),
        fields=custom,
    )
    return Verdict(row=row, status="imported", contact=contact, warnings=tuple(warnings))
