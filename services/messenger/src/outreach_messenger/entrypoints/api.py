"""Messenger HTTP API: template render preview, unsubscribe links and the message log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from outreach_common import cursors
from outreach_common.errors import unprocessable
from outreach_common.identity import REQUIRED, Caller
from outreach_contracts.contacts import ContactData
from outreach_contracts.messages import ContactOptedOut
from pydantic import BaseModel, ConfigDict, Field

from outreach_messenger.domain.segments import count
from outreach_messenger.domain.templates import TemplateFailed, render
from outreach_messenger.handlers.deps import Deps

router = APIRouter(tags=["messages"], dependencies=REQUIRED)
links = APIRouter(tags=["unsubscribe"])


class PreviewIn(BaseModel):
    """A template rendered for one sample contact."""

    channel: Literal["sms", "email"] = Field(description="Channel")
    body: str = Field(min_length=1, description="Body template")
    subject: str | None = Field(default=None, description="Email subject template")
    contact: ContactData = Field(description="Sample contact")


class MessageView(BaseModel):
    """A message with its status trail (the command it was asked with under `command`)."""

    model_config = ConfigDict(extra="allow")

    id: str
    channel: Literal["sms", "email"]
    status: str
    workspace_id: str
    campaign_id: str
    contact_id: str
    created_at: datetime
    trail: list[dict[str, Any]] = Field(default_factory=list)
    command: dict[str, Any] | None = None


class MessagePage(BaseModel):
    """Newest first; `next` goes back as `after`."""

    items: list[MessageView]
    next: str | None


class PreviewOut(BaseModel):
    """The rendered text; SMS with its encoding and segments, email with its subject."""

    channel: Literal["sms", "email"]
    body: str
    subject: str | None = None
    encoding: str | None = Field(default=None, description="GSM-7 or UCS-2 (SMS)")
    units: int | None = Field(default=None, description="Characters as the encoding counts them (SMS)")
    segments: int | None = Field(default=None, description="Parts the SMS is sent in")


@router.post(
    "/templates/preview", response_model=PreviewOut, summary="Render a template for a sample contact, with SMS segments"
)
async def preview(body: PreviewIn) -> dict[str, Any]:
    """422 names the missing variable; SMS previews carry encoding (GSM-7 / UCS-2) and segment count."""
    field = "body"
    try:
        text = render(body.body, body.contact)
        field = "subject"
        subject = render(body.subject, body.contact) if body.subject else None
    except TemplateFailed as exc:
        raise unprocessable((["body", field], str(exc))) from exc
    result: dict[str, Any] = {"channel": body.channel, "body": text}
    if body.channel == "sms":
        segments = count(text)
        result |= {"encoding": segments.encoding, "units": segments.units, "segments": segments.segments}
    else:
        result["subject"] = subject
    return result


_PAGE = (
    """<!doctype html><html><body style="font-family:sans-serif"><h1>{title}</h1><p>{text}</p>{form}</body></html>"""
)


@links.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="Unsubscribe page of an email")
async def unsubscribe_page(token: str, request: Request) -> HTMLResponse:
    """A confirmation button (link scanners that open the page do not unsubscribe anyone)."""
    deps: Deps = request.app.state.deps
    if await deps.messages.by_token(token) is None:
        raise HTTPException(404, "unknown unsubscribe link")
    form = f'<form method="post" action="/unsubscribe/{token}"><button type="submit">Unsubscribe</button></form>'
    return HTMLResponse(_PAGE.format(title="Unsubscribe", text="Stop all messages from us?", form=form))


@links.post("/unsubscribe/{token}", response_class=HTMLResponse, summary="Unsubscribe (also RFC 8058 one-click)")
async def unsubscribe(token: str, request: Request) -> HTMLResponse:
    """Opt the contact out of every campaign of the workspace (email and phone), once."""
    deps: Deps = request.app.state.deps
    doc = await deps.messages.by_token(token)
    if doc is None:
        raise HTTPException(404, "unknown unsubscribe link")
    workspace = doc["workspace_id"]
    if not await deps.messages.is_suppressed(workspace, None, doc.get("email")):
        event = ContactOptedOut(
            occurred_at=deps.clock.now(),
            workspace_id=workspace,
            phone=doc.get("phone"),
            email=doc.get("email"),
            channel="email",
            campaign_id=doc["campaign_id"],
            contact_id=doc["contact_id"],
        )
        held = [deps.entry(event, key=doc["contact_id"])]
        await deps.pending.hold(held)  # first: once suppressed, a retry would find nothing left to do
        await deps.messages.suppress(workspace, phone=None, email=doc.get("email"))
        if doc.get("phone"):
            await deps.messages.suppress(workspace, phone=doc["phone"], email=None)
        await deps.pending.release(held, deps.bus)
    return HTMLResponse(_PAGE.format(title="Unsubscribed", text="You will not hear from us again.", form=""))


@router.get("/messages", response_model=MessagePage, summary="Message log with filters and a cursor")
async def messages(
    request: Request,
    who: Caller,
    campaign_id: str | None = None,
    contact_id: str | None = None,
    status: str | None = None,
    channel: Literal["sms", "email"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    after: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    """The workspace's messages with their status trail, newest first; pass `next` back as `after`."""
    deps: Deps = request.app.state.deps
    filters = {"campaign_id": campaign_id, "contact_id": contact_id, "status": status, "channel": channel}
    query = {"workspace_id": who.workspace_id, **{k: v for k, v in filters.items() if v is not None}}
    docs = await deps.messages.page(query, after=cursors.decode(after), limit=limit)
    following = cursors.encode(docs[-1]["created_at"], docs[-1]["_id"]) if len(docs) == limit else None
    items = [{"id": d.pop("_id"), **{k: v for k, v in d.items() if k != "unsubscribe_token"}} for d in docs]
    return {"items": items, "next": following}
