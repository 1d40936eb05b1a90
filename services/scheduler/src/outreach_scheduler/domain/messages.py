"""The events and commands an enrollment transition causes (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_contracts.calls import PlaceCall
from outreach_contracts.enrollments import ContactExited, EnrollmentChanged
from outreach_contracts.envelope import Envelope
from outreach_contracts.messages import SendEmail, SendSms

from outreach_scheduler.domain.campaign import CampaignSpec, EmailStep, PhoneStep, SmsStep
from outreach_scheduler.domain.enrollment import Enrollment


def _about(e: Enrollment, now: datetime) -> dict[str, Any]:
    """The fields every event and command about an enrollment carries."""
    return {"occurred_at": now, "workspace_id": e.workspace_id, "campaign_id": e.campaign_id,
            "contact_id": e.contact_id}  # fmt: skip


def state_events(e: Enrollment, *, now: datetime) -> list[Envelope]:
    """EnrollmentChanged for the new state, plus ContactExited when an exit criterion was met."""
    about = _about(e, now)
    events: list[Envelope] = [
        EnrollmentChanged(**about, state=e.state, version=e.version, step_index=e.step_index, reason=e.reason)
    ]
    if e.state == "exited" and e.reason in ("answered", "opted_out", "unreachable", "stopped"):
        events.append(ContactExited(**about, reason=e.reason))
    return events


def step_command(e: Enrollment, spec: CampaignSpec, *, now: datetime) -> Envelope:
    """The command that carries out the enrollment's current step."""
    step = spec.flow[e.step_index]
    common = {
        **_about(e, now),
        "step_index": e.step_index,
        "idempotency_key": e.key,
        "contact": e.contact,
        "window": spec.window,
        "step_window": step.window,
    }
    if isinstance(step, PhoneStep):
        return PlaceCall(
            **common,
            attempt=e.attempt,
            agent_id=step.agent_id,
            numbers=spec.numbers,
            machine_detection=step.machine_detection,
            ring_timeout_s=step.ring_timeout_s,
            max_concurrent=spec.max_concurrent_calls,
            record=step.record,
        )
    if isinstance(step, SmsStep):
        return SendSms(
            **common,
            body_template=step.body,
            from_numbers=spec.numbers.numbers,
            from_tags=spec.numbers.tags,
            local_presence=spec.numbers.local_presence,
        )
    if isinstance(step, EmailStep):
        return SendEmail(**common, subject_template=step.subject, body_template=step.body, html_template=step.html)
    raise TypeError(f"unknown step {step!r}")
