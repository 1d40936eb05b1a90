"""Pure scheduling core: when may a contact be reached. No I/O, no clock reads."""

from outreach_windows.eligibility import ContactInfo, is_eligible, next_eligible, resolve_zones

__all__ = ["ContactInfo", "is_eligible", "next_eligible", "resolve_zones"]
