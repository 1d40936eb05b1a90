"""Per-contact enrollment state and its transitions, as pure functions returning the new state."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import TraceContext
from outreach_windows import ContactInfo, next_eligible

from outreach_scheduler.domain.campaign import CampaignSpec

TERMINAL = frozenset({"exited", "errored", "completed"})


@dataclass(frozen=True, slots=True)
class Enrollment:
    """Where one contact stands in one campaign."""

    campaign_id: str
    contact_id: str
    workspace_id: str
    contact: ContactData
    state: str = "queued"
    step_index: int = 0
    attempt: int = 1
    due_at: datetime | None = None
    version: int = 1
    reason: str | None = None
    in_flight_key: str | None = None
    failures: int = 0
    attempts_total: int = 0
    trace: TraceContext | None = None  # the contact's journey: timers continue it

    @property
    def doc_id(self) -> str:
        """Id of the enrollment's document (campaign and contact)."""
        return f"{self.campaign_id}:{self.contact_id}"

    @property
    def key(self) -> str:
        """Idempotency key of the current step attempt."""
        return f"{self.campaign_id}:{self.contact_id}:{self.step_index}:{self.attempt}"


def contact_info(contact: ContactData) -> ContactInfo:
    """The scheduling core's view of a contact."""
    return ContactInfo(timezone=contact.timezone, phone=contact.phone, state=contact.state)


def schedule_step(
    enrollment: Enrollment,
    spec: CampaignSpec,
    *,
    step_index: int,
    since: datetime,
    attempt: int = 1,
    apply_delay: bool = True,
) -> Enrollment:
    """Queue step `step_index` at its earliest eligible instant after its delay, or error if there is none."""
    step = spec.flow[step_index]
    delay = timedelta(seconds=step.delay.seconds if apply_delay else 0)
    due = next_eligible(since + delay, spec.window, contact_info(enrollment.contact), step.window)
    if due is None:
        return replace(
            enrollment,
            state="errored",
            reason="no eligible time within 400 days",
            step_index=step_index,
            due_at=None,
            in_flight_key=None,
            version=enrollment.version + 1,
        )
    return replace(
        enrollment,
        state="queued",
        step_index=step_index,
        attempt=attempt,
        due_at=due,
        in_flight_key=None,
        version=enrollment.version + 1,
    )


def first_reach(enrollment: Enrollment, spec: CampaignSpec, *, start: datetime) -> datetime | None:
    """When a queued contact would next be reached if the campaign ran from `start` on its current spec: a
    contact not yet reached at its first step's earliest eligible instant from then (the stored instant was
    computed with the window of the day it was imported), any other at its stored instant; None when no
    instant within the horizon is eligible or the contact is not queued."""
    if enrollment.state != "queued":
        return None
    if enrollment.step_index == 0 and enrollment.attempts_total == 0 and spec.flow:
        return schedule_step(enrollment, spec, step_index=0, since=start).due_at
    return enrollment.due_at


def enroll(
    *, campaign_id: str, contact_id: str, workspace_id: str, contact: ContactData, spec: CampaignSpec, now: datetime
) -> Enrollment:
    """A new enrollment, queued at the first step's earliest eligible instant."""
    fresh = Enrollment(
        campaign_id=campaign_id, contact_id=contact_id, workspace_id=workspace_id, contact=contact, version=0
    )
    if not spec.flow:
        return replace(fresh, state="completed", version=1, reason="empty flow")
    return schedule_step(fresh, spec, step_index=0, since=now)


def dispatch(enrollment: Enrollment) -> Enrollment:
    """The current step goes out: the enrollment is active until its outcome arrives."""
    e = enrollment  # built directly: dataclasses.replace took 19 us, a tenth of a dispatched step's CPU
    return Enrollment(
        campaign_id=e.campaign_id,
        contact_id=e.contact_id,
        workspace_id=e.workspace_id,
        contact=e.contact,
        state="active",
        step_index=e.step_index,
        attempt=e.attempt,
        due_at=e.due_at,
        version=e.version + 1,
        reason=e.reason,
        in_flight_key=e.key,
        failures=e.failures,
        attempts_total=e.attempts_total + 1,
        trace=e.trace,
    )


def postpone(enrollment: Enrollment, spec: CampaignSpec, *, until: datetime) -> Enrollment:
    """Keep the step queued but not before `until` (caps, paced resume), at its next eligible instant."""
    step = spec.flow[enrollment.step_index]
    due = next_eligible(until, spec.window, contact_info(enrollment.contact), step.window)
    if due is None:
        return replace(
            enrollment,
            state="errored",
            reason="no eligible time within 400 days",
            due_at=None,
            version=enrollment.version + 1,
        )
    return replace(enrollment, due_at=due, version=enrollment.version + 1)


def _end(enrollment: Enrollment, state: str, reason: str) -> Enrollment:
    """Terminal: nothing in flight, nothing due."""
    return replace(
        enrollment, state=state, reason=reason, in_flight_key=None, due_at=None, version=enrollment.version + 1
    )


def timed_out(enrollment: Enrollment, reason: str) -> Enrollment:
    """Terminal: the step in flight never reported an outcome (nothing more is sent to the contact)."""
    return _end(enrollment, "errored", reason)


def exit_with(enrollment: Enrollment, reason: str) -> Enrollment:
    """Terminal: an exit criterion was met."""
    return _end(enrollment, "exited", reason)


def on_outcome(
    enrollment: Enrollment, spec: CampaignSpec, *, key: str, outcome: str, at: datetime
) -> Enrollment | None:
    """Apply a step outcome; None when it does not apply (duplicate, stale or for another attempt)."""
    if enrollment.state != "active" or enrollment.in_flight_key != key:
        return None
    criteria = spec.exit_criteria
    if outcome == "answered_human" and criteria.answered:
        return exit_with(enrollment, "answered")
    if outcome == "voicemail" and criteria.voicemail_counts_as_answered:
        return exit_with(enrollment, "answered")
    if outcome == "unreachable":
        return exit_with(enrollment, "unreachable")
    failures = enrollment.failures + 1 if outcome in criteria.failures_count else 0
    if failures >= criteria.unreachable_after_failures:
        return exit_with(replace(enrollment, failures=failures), "unreachable")
    current = replace(enrollment, failures=failures)
    if enrollment.attempts_total >= criteria.max_attempts:
        return _end(current, "completed", "attempt budget spent")
    step = spec.flow[enrollment.step_index]
    rule = step.retries.get(outcome)  # type: ignore[call-overload]
    if rule is not None and enrollment.attempt <= rule.max_retries:
        return schedule_step(
            current,
            spec,
            step_index=enrollment.step_index,
            since=at + timedelta(seconds=rule.delay.seconds),
            attempt=enrollment.attempt + 1,
            apply_delay=False,
        )
    for index in range(enrollment.step_index + 1, len(spec.flow)):
        condition = spec.flow[index].when_previous
        if condition is None or outcome in condition:
            return schedule_step(current, spec, step_index=index, since=at)
    return _end(current, "completed", "flow exhausted")
