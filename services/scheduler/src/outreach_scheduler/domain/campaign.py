"""Campaigns and their outreach flows, as users define them (validated at the API)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from outreach_common.templates import TemplateFailedError, check
from outreach_contracts.calls import NumberSelection
from outreach_contracts.campaigns import CampaignStatus
from outreach_contracts.envelope import UtcDatetime
from outreach_contracts.window import ContactWindow, TimeRange
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Delay(_Model):
    """Wait after the previous step's outcome before this step becomes due."""

    amount: int = Field(default=0, ge=0, description="How many units", examples=[1])
    unit: Literal["minutes", "hours", "days"] = Field(default="minutes", description="Unit", examples=["days"])

    @property
    def seconds(self) -> int:
        """The delay in seconds (a day is 24 h)."""
        return self.amount * {"minutes": 60, "hours": 3600, "days": 86400}[self.unit]


RetryOutcome = Literal["busy", "no_answer", "voicemail", "failed"]


class RetryRule(_Model):
    """Try the same step again after an outcome, at most `max_retries` times."""

    delay: Delay = Field(default_factory=lambda: Delay(amount=30), description="Wait before the retry")
    max_retries: int = Field(default=1, ge=0, le=20, description="Retries of this step for this outcome")


class _Step(_Model):
    delay: Delay = Field(default_factory=Delay, description="Delay after the previous step's outcome")
    window: TimeRange | None = Field(default=None, description="Specific time window (narrows the campaign's)")
    when_previous: list[str] | None = Field(
        default=None, description="Run only when the previous outcome is one of these", examples=[["no_answer"]]
    )
    retries: dict[RetryOutcome, RetryRule] = Field(
        default_factory=dict,
        description="Retry rules per outcome",
        examples=[{"busy": {"delay": {"amount": 10, "unit": "minutes"}, "max_retries": 2}}],
    )


class PhoneStep(_Step):
    """A phone call handled by an AI agent."""

    kind: Literal["phone"] = "phone"
    agent_id: str = Field(min_length=1, description="Agent that handles the call", examples=["agt_sales"])
    machine_detection: Literal["off", "Enable", "DetectMessageEnd", "async"] = Field(default="off")
    ring_timeout_s: int = Field(default=30, ge=5, le=600, description="Seconds to let it ring")
    record: bool = Field(default=False, description="Record the call (dual channel); the URL shows in call history")


class SmsStep(_Step):
    """An SMS from a template."""

    kind: Literal["sms"] = "sms"
    body: str = Field(min_length=1, description="Jinja2 body template", examples=["Hi {{ first_name }}"])


class EmailStep(_Step):
    """An email from templates."""

    kind: Literal["email"] = "email"
    subject: str = Field(min_length=1, description="Subject template", examples=["Your renewal"])
    html: str | None = Field(default=None, description="Optional HTML body template", examples=["<p>Hi</p>"])
    body: str = Field(min_length=1, description="Body template", examples=["Hello {{ first_name }}"])


Step = Annotated[PhoneStep | SmsStep | EmailStep, Field(discriminator="kind")]


def template_problems(flow: list[Step]) -> list[tuple[tuple[str | int, ...], str]]:
    """(path within the flow, reason) of every step template that is not allowed (size, loops, what it would
    build or render); a variable a contact may lack is not a problem here."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for index, step in enumerate(flow):
        fields: list[tuple[str, str | None, bool]] = []
        if isinstance(step, SmsStep):
            fields = [("body", step.body, False)]
        elif isinstance(step, EmailStep):
            fields = [("subject", step.subject, False), ("body", step.body, False), ("html", step.html, True)]
        for name, source, html in fields:
            try:
                if source is not None:
                    check(source, html=html)
            except TemplateFailedError as exc:
                problems.append(((index, name), str(exc)))
    return problems


FailureOutcome = Literal["failed", "busy", "no_answer"]


class ExitCriteria(_Model):
    """When a contact leaves the campaign."""

    answered: bool = Field(default=True, description="Exit when a human answers")
    voicemail_counts_as_answered: bool = Field(default=False, description="Treat voicemail as answered")
    opted_out: bool = Field(default=True, description="Exit on opt-out (always honoured for sending)")
    unreachable_after_failures: int = Field(default=3, ge=1, description="Consecutive failures -> unreachable")
    failures_count: list[FailureOutcome] = Field(
        default_factory=lambda: list[FailureOutcome](["failed"]),
        description=(
            "Call outcomes that count as a failure towards `unreachable_after_failures` (an invalid or "
            "disconnected number is unreachable at once); add busy and no_answer to count them too"
        ),
        examples=[["failed", "busy"]],
    )
    max_attempts: int = Field(default=10, ge=1, le=100, description="Attempt budget per contact (all steps)")


class CampaignSpec(_Model):
    """What a user fills in to define a campaign."""

    name: str = Field(min_length=1, max_length=200, description="Campaign name", examples=["Renewals"])
    description: str = Field(default="", max_length=2000, description="Free text")
    window: ContactWindow = Field(
        default_factory=lambda: ContactWindow(days=["mon", "tue", "wed", "thu", "fri"]),
        description="When contacts may be reached",
    )
    flow: list[Step] = Field(default_factory=list, description="Ordered steps")
    numbers: NumberSelection = Field(default_factory=NumberSelection, description="Caller ids for the dialer")
    max_concurrent_calls: int | None = Field(default=None, ge=1, description="Calls in flight at once, at most")
    exit_criteria: ExitCriteria = Field(default_factory=ExitCriteria, description="Exit criteria")

    @model_validator(mode="after")
    def _first_step_has_no_condition(self) -> CampaignSpec:
        if self.flow and self.flow[0].when_previous:
            raise ValueError("the first step cannot depend on a previous outcome")
        return self


class Campaign(_Model):
    """A stored campaign."""

    id: str
    workspace_id: str
    spec: CampaignSpec
    status: CampaignStatus = "draft"
    created_at: UtcDatetime
    starts_at: UtcDatetime | None = None
    started_at: UtcDatetime | None = None

    def can_start(self, now: datetime) -> bool:
        """A campaign starts from draft or scheduled, and only with at least one step."""
        return self.status in ("draft", "scheduled") and bool(self.spec.flow)
