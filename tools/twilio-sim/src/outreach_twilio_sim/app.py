"""The simulator's HTTP app: Calls.json and Messages.json of the 2010-04-01 API, plus `/_sim` controls."""

from __future__ import annotations

import asyncio
import base64
import gc
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from outreach_common.clock import Clock, SystemClock
from pydantic import BaseModel, Field

from outreach_twilio_sim.callbacks import CallbackSender
from outreach_twilio_sim.calls import SimCall, new_sid, run_call
from outreach_twilio_sim.scenario import MessageBehaviour, Scenario


class InboundSms(BaseModel):
    """A simulated reply."""

    webhook_url: str = Field(description="The messenger's inbound webhook")
    from_: str = Field(alias="from", description="Handset number")
    to: str = Field(description="Our number")
    body: str = Field(description="Text of the reply")


def twilio_error(status: int, code: int) -> JSONResponse:
    """An error body shaped like Twilio's."""
    messages = {21610: "Attempt to send to unsubscribed recipient", 21211: "Invalid 'To' Phone Number"}
    return JSONResponse(
        {
            "code": code,
            "message": messages.get(code, "Service unavailable" if status >= 500 else "Too Many Requests"),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status,
    )


class ReceivedAt:
    """ASGI middleware: stamps each request with the instant it reached the app, before reading its body or
    anything else can wait, so the log times when requests arrived and not when the handler got to them."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["received_at"] = time.time()
        await self.app(scope, receive, send)


def received_at(request: Request) -> float:
    """When the request reached the app (now, without the middleware)."""
    return float(getattr(request.state, "received_at", None) or time.time())


def build(
    *, account_sid: str, auth_token: str, scenario: Scenario | None = None, clock: Clock | None = None
) -> FastAPI:
    """The simulator app for one account; `clock` (the services' virtual clock, if they share one) stamps
    each log entry's `clock_at` beside the real `at`."""
    clock = clock or SystemClock()
    state: dict[str, Any] = {
        "scenario": scenario or Scenario(),
        "log": [],
        "calls": {},
        "messages": {},
        "message_attempts": {},
        "tasks": set(),
    }
    rng = random.Random((scenario or Scenario()).seed)
    sender = CallbackSender(auth_token)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        gc.freeze()  # full collections then skip what starting made: fewer pauses that bunch the log's times
        yield
        for task in list(state["tasks"]):
            task.cancel()
        await sender.close()

    app = FastAPI(title="Outreach Twilio simulator", lifespan=lifespan)
    app.add_middleware(ReceivedAt)

    def authorize(request: Request, sid: str) -> None:
        header = request.headers.get("authorization", "")
        expected = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        if sid != account_sid or header != expected:
            raise HTTPException(401, {"code": 20003, "message": "Authenticate", "status": 401})

    def spawn(coro: Any) -> None:
        task = asyncio.create_task(coro)
        state["tasks"].add(task)
        task.add_done_callback(state["tasks"].discard)

    @app.post("/2010-04-01/Accounts/{sid}/Calls.json", status_code=201)
    async def create_call(sid: str, request: Request) -> JSONResponse:
        authorize(request, sid)
        received = received_at(request)
        form = await request.form()
        fields = {k: str(v) for k, v in form.multi_items()}
        state["log"].append(
            {
                "at": received,
                "clock_at": clock.now().timestamp() - (time.time() - received),
                "kind": "call",
                "to": fields.get("To"),
                "status_callback": fields.get("StatusCallback"),
                "from": fields.get("From"),
                "url": fields.get("Url"),
                "twiml": fields.get("Twiml"),
                "machine_detection": fields.get("MachineDetection"),
                "timeout": fields.get("Timeout"),
                "record": fields.get("Record"),
                "recording_channels": fields.get("RecordingChannels"),
            }
        )
        if not fields.get("To") or not fields.get("From") or not (fields.get("Url") or fields.get("Twiml")):
            return JSONResponse({"code": 21201, "message": "Missing To, From or Url", "status": 400}, 400)
        events = {str(v) for k, v in form.multi_items() if k == "StatusCallbackEvent"}
        call = SimCall(
            sid=new_sid("CA"),
            account_sid=sid,
            to=fields["To"],
            from_=fields["From"],
            url=fields.get("Url", ""),
            status_callback=fields.get("StatusCallback"),
            events=events,
            machine_detection=fields.get("MachineDetection"),
            created=received,
            recording_callback=fields.get("RecordingStatusCallback") if fields.get("Record") == "true" else None,
        )
        state["calls"][call.sid] = call
        spawn(run_call(call, state["scenario"].pick(call.to, rng), sender))
        return JSONResponse(call.resource(), 201)

    @app.get("/2010-04-01/Accounts/{sid}/Calls.json")
    async def list_calls(sid: str, request: Request) -> JSONResponse:
        """Calls filtered by `To`, `From` and `StartTime>` (created after), newest first, one page."""
        authorize(request, sid)
        query = request.query_params
        after = query.get("StartTime>")
        since = datetime.fromisoformat(after.replace("Z", "+00:00")).timestamp() if after else 0.0
        found = [
            c
            for c in state["calls"].values()
            if c.account_sid == sid
            and query.get("To", c.to) == c.to
            and query.get("From", c.from_) == c.from_
            and c.created >= since
        ]
        found.sort(key=lambda c: c.created, reverse=True)
        page = [c.resource() for c in found[: int(query.get("PageSize", "50"))]]
        uri = f"/2010-04-01/Accounts/{sid}/Calls.json"
        return JSONResponse({"calls": page, "page": 0, "page_size": len(page), "uri": uri, "next_page_uri": None})

    @app.get("/2010-04-01/Accounts/{sid}/Calls/{call_sid}.json")
    async def fetch_call(sid: str, call_sid: str, request: Request) -> JSONResponse:
        authorize(request, sid)
        call = state["calls"].get(call_sid)
        if call is None:
            return JSONResponse({"code": 20404, "message": "not found", "status": 404}, 404)
        return JSONResponse(call.resource())

    @app.post("/2010-04-01/Accounts/{sid}/Messages.json", status_code=201)
    async def create_message(sid: str, request: Request) -> JSONResponse:
        authorize(request, sid)
        form = await request.form()
        fields = {k: str(v) for k, v in form.multi_items()}
        state["log"].append(
            {
                "at": time.time(),
                "clock_at": clock.now().timestamp(),
                "kind": "sms",
                "to": fields.get("To"),
                "from": fields.get("From"),
                "body": fields.get("Body"),
            }
        )
        behaviour = state["scenario"].messages.get(fields.get("To", ""), MessageBehaviour())
        seen = state["message_attempts"].get(fields.get("To", ""), 0)
        state["message_attempts"][fields.get("To", "")] = seen + 1
        if seen < behaviour.transient_errors:
            return twilio_error(behaviour.transient_status, 20429 if behaviour.transient_status == 429 else 20500)
        if behaviour.error_code is not None:
            return twilio_error(400, behaviour.error_code)
        msid = new_sid("SM")
        state["messages"][msid] = fields
        callback = fields.get("StatusCallback")
        if callback:

            async def deliver() -> None:
                for status in ("sent", behaviour.final_status):
                    await asyncio.sleep(0.05)
                    await sender.send(
                        callback,
                        {"MessageSid": msid, "MessageStatus": status, "AccountSid": sid, "To": fields.get("To", "")},
                    )

            spawn(deliver())
        return JSONResponse(
            {
                "sid": msid,
                "account_sid": sid,
                "to": fields.get("To"),
                "from": fields.get("From"),
                "body": fields.get("Body"),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
            },
            201,
        )

    @app.post("/_sim/sms/inbound")
    async def inbound(body: InboundSms) -> dict[str, Any]:
        """Deliver a reply from a handset to the given webhook, signed like Twilio signs it."""
        params = {
            "MessageSid": new_sid("SM"),
            "AccountSid": account_sid,
            "From": body.from_,
            "To": body.to,
            "Body": body.body,
        }
        status = await sender.send(body.webhook_url, params)
        return {"status": status}

    @app.get("/_sim/log")
    async def log() -> list[dict[str, Any]]:
        return list(state["log"])

    @app.get("/_sim/calls")
    async def calls() -> list[dict[str, Any]]:
        return [
            {
                "sid": c.sid,
                "to": c.to,
                "from": c.from_,
                "status": c.status,
                "created": c.created,
                "answered_at": c.answered_at,
                "ended_at": c.ended_at,
            }
            for c in state["calls"].values()
        ]

    @app.get("/_sim/calls/count")
    async def calls_count() -> dict[str, int]:
        """How many calls were created and how many ended (cheap to poll while a run goes on)."""
        calls = state["calls"].values()
        return {"created": len(calls), "ended": sum(1 for c in calls if c.ended_at)}

    @app.put("/_sim/scenario")
    async def set_scenario(body: Scenario) -> Scenario:
        state["scenario"] = body
        state["message_attempts"].clear()
        return body

    @app.post("/twiml/agent")
    async def agent_twiml() -> JSONResponse:
        return JSONResponse({"twiml": "<Response><Say>Hello from the simulated agent</Say></Response>"})

    return app
