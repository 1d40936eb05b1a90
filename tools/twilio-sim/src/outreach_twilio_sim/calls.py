"""Simulated call lifecycles: queued -> initiated -> ringing -> in-progress -> completed (or busy, ...)."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from outreach_twilio_sim.callbacks import CallbackSender
from outreach_twilio_sim.scenario import Behaviour


def new_sid(prefix: str) -> str:
    """A Twilio-style sid (two letters and 32 hex digits)."""
    return prefix + uuid.uuid4().hex


@dataclass
class SimCall:
    """A call the simulator accepted."""

    sid: str
    account_sid: str
    to: str
    from_: str
    url: str
    status_callback: str | None
    events: set[str]
    machine_detection: str | None
    created: float = field(default_factory=time.time)
    status: str = "queued"
    answered_at: float | None = None
    ended_at: float | None = None
    duration_s: int | None = None
    answered_by: str | None = None
    recording_callback: str | None = None  # Record=true: where to say the recording is ready

    def resource(self) -> dict[str, Any]:
        """The JSON resource Twilio returns for a call."""
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "to": self.to,
            "from": self.from_,
            "status": self.status,
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": None,
            "date_updated": None,
            "start_time": None,
            "end_time": None,
            "duration": None if self.duration_s is None else str(self.duration_s),
            "answered_by": self.answered_by,
            "price": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{self.sid}.json",
        }


async def run_call(call: SimCall, behaviour: Behaviour, sender: CallbackSender) -> None:
    """Play the call out and send the callbacks it asked for."""

    async def emit(status: str, extra: dict[str, str] | None = None, always: bool = False) -> None:
        call.status = status
        event = {"queued": "initiated", "in-progress": "answered"}.get(status, status)
        if always and behaviour.lose_final_callback:
            return  # the final callback is lost: the dialer has to ask (GET .../Calls/{sid}.json)
        if call.status_callback and (always or event in call.events):
            params = {
                "CallSid": call.sid,
                "AccountSid": call.account_sid,
                "To": call.to,
                "From": call.from_,
                "CallStatus": status,
                "Direction": "outbound-api",
                "ApiVersion": "2010-04-01",
                "SequenceNumber": str(seq.pop(0) if seq else 9),
            }
            params.update(extra or {})
            await sender.send(call.status_callback, params)

    seq = list(range(10))
    await emit("queued")
    await asyncio.sleep(behaviour.ring_s / 2)
    await emit("ringing")
    await asyncio.sleep(behaviour.ring_s / 2)
    outcome = behaviour.outcome
    if outcome in ("answered_human", "voicemail"):
        call.answered_at = time.time()
        answered_by = {}
        if call.machine_detection:
            answered_by = {"AnsweredBy": "human" if outcome == "answered_human" else "machine_end_beep"}
        await emit("in-progress", answered_by)
        await asyncio.sleep(behaviour.duration_s)
        call.ended_at = time.time()
        recording = f"https://api.twilio.com/2010-04-01/Accounts/{call.account_sid}/Recordings/RE{call.sid[2:]}"
        call.duration_s = max(1, round(behaviour.duration_s))
        call.answered_by = answered_by.get("AnsweredBy")
        duration = str(call.duration_s)
        final_params = {**answered_by, "CallDuration": duration, "RecordingUrl": recording}
        await emit("completed", final_params, always=True)
        if call.recording_callback:
            ready = {
                "AccountSid": call.account_sid,
                "CallSid": call.sid,
                "RecordingSid": f"RE{call.sid[2:]}",
                "RecordingUrl": recording,
                "RecordingStatus": "completed",
                "RecordingDuration": duration,
                "RecordingChannels": "2",
                "RecordingSource": "OutboundAPI",
            }
            await sender.send(call.recording_callback, ready)
        return
    call.ended_at = time.time()
    call.duration_s = 0
    final = {"no_answer": "no-answer", "busy": "busy", "failed": "failed", "unreachable": "failed"}[outcome]
    extra = {"CallDuration": "0"}
    if outcome == "unreachable":
        extra.update({"SipResponseCode": "404", "ErrorCode": "13224"})
    elif behaviour.sip_code:
        extra["SipResponseCode"] = str(behaviour.sip_code)
    elif outcome == "busy":
        extra["SipResponseCode"] = "486"
    await emit(final, extra, always=True)
