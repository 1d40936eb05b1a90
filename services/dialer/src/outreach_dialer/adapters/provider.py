"""Twilio through the official SDK (async), pointed at the simulator when a base URL is configured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from outreach_common.twilio_session import TwilioSession
from twilio.base.exceptions import TwilioRestException


class CallRejected(Exception):  # noqa: N818 - reads as "the call was rejected"
    """The provider refused to create a call."""

    def __init__(self, reason: str, *, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class CallRequest:
    """What the dialer asks the provider for."""

    to: str
    from_: str
    status_callback: str
    url: str | None = None  # TwiML URL of the agent, with the contact's fields as parameters
    twiml: str | None = None  # inline TwiML (SIP and media-stream agents)
    machine_detection: str = "off"
    amd_callback: str | None = None
    timeout_s: int = 30
    recording_callback: str | None = None  # set: record both channels, and say when the recording is ready


class ProviderUnavailable(Exception):  # noqa: N818 - reads as "the provider is unavailable"
    """The provider answered 429 or 5xx: the call was not created; try again later."""


@dataclass(frozen=True)
class CallState:
    """What the provider says of a call (for calls whose final callback never came)."""

    status: str
    duration_s: int | None
    answered_by: str | None


class CallProvider(Protocol):
    """Creates outbound calls."""

    async def create_call(self, request: CallRequest) -> str:
        """Create a call; return the provider's call sid, or raise CallRejected (or ProviderUnavailable)."""
        ...

    async def fetch_call(self, sid: str) -> CallState:
        """The call's state as the provider has it now."""
        ...

    async def find_call(self, *, to: str, from_: str, after: datetime) -> str | None:
        """The sid of the first call from `from_` to `to` the provider created after `after`, if any."""
        ...


class TwilioProvider(TwilioSession):
    """The Twilio REST API via `twilio.rest.Client`."""

    async def create_call(self, request: CallRequest) -> str:
        """Create a call with status callbacks for ringing, answered and the end (not `initiated`: the call's
        trail has `placed` for that moment, and one webhook fewer per call is a quarter of the dialer's
        callback load)."""
        kwargs: dict[str, Any] = {
            "to": request.to,
            "from_": request.from_,
            "status_callback": request.status_callback,
            "status_callback_event": ["ringing", "answered", "completed"],
            "status_callback_method": "POST",
            "timeout": request.timeout_s,
        }
        if request.twiml:
            kwargs["twiml"] = request.twiml
        else:
            kwargs["url"] = request.url
        if request.machine_detection != "off":
            if request.machine_detection == "async":
                kwargs.update(machine_detection="DetectMessageEnd", async_amd=True)
                if request.amd_callback:
                    kwargs["async_amd_status_callback"] = request.amd_callback
            else:
                kwargs["machine_detection"] = request.machine_detection
        if request.recording_callback:
            kwargs.update(
                record=True,
                recording_channels="dual",
                recording_status_callback=request.recording_callback,
                recording_status_callback_method="POST",
            )
        try:
            call = await self.client.calls.create_async(**kwargs)
        except TwilioRestException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise ProviderUnavailable(f"Twilio answered {exc.status}") from exc
            raise CallRejected(f"Twilio error {exc.code or exc.status}: {exc.msg}", code=exc.code) from exc
        return str(call.sid)

    async def fetch_call(self, sid: str) -> CallState:
        """`GET .../Calls/{sid}.json`."""
        call = await self.client.calls(sid).fetch_async()
        duration = int(call.duration) if call.duration not in (None, "") else None
        return CallState(status=str(call.status), duration_s=duration, answered_by=call.answered_by)

    async def find_call(self, *, to: str, from_: str, after: datetime) -> str | None:
        """`GET .../Calls.json?To=&From=&StartTime>=`: the oldest match (the list is newest first)."""
        calls = await self.client.calls.list_async(to=to, from_=from_, start_time_after=after, limit=20)
        return str(calls[-1].sid) if calls else None
