"""How a call reaches its agent: a TwiML URL, a SIP URI or a media-stream WebSocket; contact fields travel
as call parameters."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode
from xml.sax.saxutils import quoteattr

from outreach_contracts.contacts import ContactData

AgentKind = Literal["twiml", "sip", "stream"]


def contact_variables(contact: ContactData) -> dict[str, str]:
    """What an agent is told about the contact: names and custom fields (`field_<name>`)."""
    return {
        "first_name": contact.first_name or "",
        "last_name": contact.last_name or "",
        **{f"field_{k}": v for k, v in contact.fields.items()},
    }


def with_params(url: str, params: dict[str, str]) -> str:
    """`url` with the parameters appended to its query string."""
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params)


def connect_twiml(kind: AgentKind, address: str, params: dict[str, str]) -> str | None:
    """Inline TwiML for SIP and stream agents (None for TwiML-URL agents, which get the params in the URL)."""
    if kind == "sip":
        headers = urlencode({f"X-{k}": v for k, v in params.items()})
        uri = address + (("&" if "?" in address else "?") + headers if headers else "")
        return f"<Response><Dial><Sip>{_text(uri)}</Sip></Dial></Response>"
    if kind == "stream":
        inner = "".join(f"<Parameter name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in params.items())
        return f"<Response><Connect><Stream url={quoteattr(address)}>{inner}</Stream></Connect></Response>"
    return None


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
