"""Number and agent registries: numbers with tags, capabilities, place, caps; agents and how to reach them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

import phonenumbers
from fastapi import APIRouter, HTTPException, Request
from outreach_common.errors import CONFLICT, unprocessable
from outreach_common.identity import REQUIRED, Caller
from outreach_common.outbox import outbox_entry
from outreach_contracts.numbers import NumberRegistered, NumberRemoved
from outreach_windows.places import place_of
from pydantic import BaseModel, ConfigDict, Field, field_validator

from outreach_dialer.domain.answers import counts
from outreach_dialer.entrypoints.schemas import AgentView, NumberView
from outreach_dialer.handlers.deps import Deps

router = APIRouter(tags=["numbers and agents"], dependencies=REQUIRED)
T = TypeVar("T")
Capability = Literal["voice", "sms"]


class Caps(BaseModel):
    """Per-number limits."""

    per_hour: int | None = Field(default=None, ge=1, description="Calls per rolling hour")
    per_day: int | None = Field(default=None, ge=1, description="Calls per rolling 24 hours")


class NumberIn(BaseModel):
    """A caller id of the caller's workspace."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(description="E.164 number", examples=["+12125550100"])
    tags: list[str] = Field(default_factory=list, description="Tags campaigns select by", examples=[["sales-us"]])
    capabilities: list[Capability] = Field(default_factory=lambda: list[Capability](["voice", "sms"]))
    status: Literal["active", "disabled"] = Field(default="active", description="Disabled numbers are never used")
    caps: Caps = Field(default_factory=Caps)
    cooldown_s: float = Field(default=0, ge=0, description="Seconds between two calls from this number")

    @field_validator("number")
    @classmethod
    def _e164(cls, value: str) -> str:
        try:
            parsed = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException as exc:
            raise ValueError(f"not an E.164 number: {exc}") from exc
        if not phonenumbers.is_valid_number(parsed):
            raise ValueError("not a valid number")
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class NumbersIn(BaseModel):
    """Many numbers at once."""

    numbers: list[NumberIn] = Field(min_length=1, max_length=10_000)


def announcement(body: NumberIn, workspace_id: str, now: datetime) -> NumberRegistered:
    """The event that tells the other services about a number (the messenger sends SMS from it)."""
    return NumberRegistered(
        occurred_at=now,
        workspace_id=workspace_id,
        number=body.number,
        tags=body.tags,
        capabilities=list(body.capabilities),
        status=body.status,
        per_hour=body.caps.per_hour,
        per_day=body.caps.per_day,
    )


def _number_doc(body: NumberIn, workspace_id: str) -> dict[str, Any]:
    place = place_of(body.number)
    return {
        "_id": body.number,
        **body.model_dump(exclude={"number"}),
        "workspace_id": workspace_id,
        "country": place.country,
        "state": place.state,
        "area_code": place.area_code,
    }


def _public(doc: dict[str, Any], deps: Deps) -> dict[str, Any]:
    now, window_h = deps.clock.now(), deps.health.window_h
    out = {"number": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "uses", "outcomes", "answers")}}
    answered, calls = counts(doc, now=now, window_h=window_h)
    out["answer_rate"] = round(answered / calls, 4) if calls else None
    out["recent_calls"] = calls
    return out


async def _own_number(deps: Deps, number: str, workspace_id: str) -> dict[str, Any]:
    """The workspace's number; a number of another workspace is a 404 like an unknown one."""
    doc = await deps.numbers.get(number)
    if doc is None or doc.get("workspace_id") != workspace_id:
        raise HTTPException(404, f"number {number} not found")
    return doc


async def _claimable(deps: Deps, number: str, workspace_id: str) -> None:
    """A number registered by another workspace cannot be taken over (409, nothing of it is shown)."""
    doc = await deps.numbers.get(number)
    if doc is not None and doc.get("workspace_id") != workspace_id:
        raise HTTPException(409, f"number {number} is registered to another workspace")


async def _announced(
    deps: Deps, events: Sequence[NumberRegistered | NumberRemoved], change: Callable[[], Awaitable[T]]
) -> T:
    """Hold the events, make the change, publish them: the messenger learns who owns each number (to file a
    reply sent to it under its owners), and a crash in between leaves them for the sweeper."""
    held = [outbox_entry(e, topic=deps.topics.numbers, key=e.number) for e in events]
    await deps.number_events.hold(held)
    result = await change()
    await deps.number_events.release(held, deps.bus)
    return result


@router.post(
    "/numbers", status_code=201, response_model=NumberView, summary="Add or update a number", responses=CONFLICT
)
async def put_number(body: NumberIn, request: Request, who: Caller) -> dict[str, Any]:
    """Country, state and area code are derived from the number."""
    deps: Deps = request.app.state.deps
    await _claimable(deps, body.number, who.workspace_id)
    event = announcement(body, who.workspace_id, deps.clock.now())
    await _announced(deps, [event], lambda: deps.numbers.upsert(_number_doc(body, who.workspace_id)))
    return _public(await _own_number(deps, body.number, who.workspace_id), deps)


@router.post("/numbers/import", summary="Add or update many numbers", responses=CONFLICT)
async def import_numbers(body: NumbersIn, request: Request, who: Caller) -> dict[str, int]:
    """Each number as with POST /numbers; none is stored when one belongs to another workspace."""
    deps: Deps = request.app.state.deps
    for n in body.numbers:
        await _claimable(deps, n.number, who.workspace_id)
    now = deps.clock.now()
    events = [announcement(n, who.workspace_id, now) for n in body.numbers]

    async def upsert_all() -> int:
        return sum([await deps.numbers.upsert(_number_doc(n, who.workspace_id)) for n in body.numbers])

    created = await _announced(deps, events, upsert_all)
    return {"created": created, "updated": len(body.numbers) - created}


@router.get("/numbers", response_model=list[NumberView], summary="Numbers, optionally by tag or status")
async def list_numbers(
    request: Request, who: Caller, tag: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """The workspace's numbers, with answer rate over the health window."""
    deps: Deps = request.app.state.deps
    query = {k: v for k, v in {"tags": tag, "status": status}.items() if v is not None}
    return [_public(d, deps) for d in await deps.numbers.all({**query, "workspace_id": who.workspace_id})]


@router.get("/numbers/{number}", response_model=NumberView, summary="One number")
async def get_number(number: str, request: Request, who: Caller) -> dict[str, Any]:
    """404 when unknown."""
    deps: Deps = request.app.state.deps
    return _public(await _own_number(deps, number, who.workspace_id), deps)


@router.delete("/numbers/{number}", status_code=204, summary="Remove a number")
async def delete_number(number: str, request: Request, who: Caller) -> None:
    """Calls already placed keep their history."""
    deps: Deps = request.app.state.deps
    await _own_number(deps, number, who.workspace_id)
    event = NumberRemoved(occurred_at=deps.clock.now(), workspace_id=who.workspace_id, number=number)
    await _announced(deps, [event], lambda: deps.numbers.delete(number))


class AgentIn(BaseModel):
    """An AI agent calls are handed to."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Agent id used in campaign steps")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["twiml", "sip", "stream"] = Field(description="TwiML URL, SIP URI or media-stream WebSocket URL")
    address: str = Field(description="The URL or URI", examples=["https://agents.example.com/twiml/sales"])
    variables: dict[str, str] = Field(default_factory=dict, description="Default variables sent with every call")

    @field_validator("address")
    @classmethod
    def _address(cls, value: str, info: Any) -> str:
        kind = info.data.get("kind")
        prefixes = {"twiml": ("http://", "https://"), "sip": ("sip:", "sips:"), "stream": ("ws://", "wss://")}
        if kind in prefixes and not value.startswith(prefixes[kind]):
            raise ValueError(f"a {kind} agent's address starts with {' or '.join(prefixes[kind])}")
        return value


@router.put("/agents/{agent_id}", response_model=AgentView, summary="Create or replace an agent")
async def put_agent(agent_id: str, body: AgentIn, request: Request, who: Caller) -> dict[str, Any]:
    """Agents are shared by every campaign of the workspace."""
    if body.id != agent_id:
        raise unprocessable((["body", "id"], "must match the path"))
    await request.app.state.deps.agents.put(who.workspace_id, agent_id, body.model_dump(exclude={"id"}))
    return body.model_dump()


def _agent(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "workspace_id"}


@router.get("/agents", response_model=list[AgentView], summary="Every agent")
async def list_agents(request: Request, who: Caller) -> list[dict[str, Any]]:
    """The workspace's agents, by id."""
    return [_agent(d) for d in await request.app.state.deps.agents.all(who.workspace_id)]


@router.get("/agents/{agent_id}", response_model=AgentView, summary="One agent")
async def get_agent(agent_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """404 when unknown."""
    doc = await request.app.state.deps.agents.get(who.workspace_id, agent_id)
    if doc is None:
        raise HTTPException(404, f"agent {agent_id} not found")
    return _agent(doc)


@router.delete("/agents/{agent_id}", status_code=204, summary="Remove an agent")
async def delete_agent(agent_id: str, request: Request, who: Caller) -> None:
    """Calls already placed keep their history."""
    if not await request.app.state.deps.agents.delete(who.workspace_id, agent_id):
        raise HTTPException(404, f"agent {agent_id} not found")
