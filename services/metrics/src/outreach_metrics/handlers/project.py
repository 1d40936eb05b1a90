"""One projection function per event type."""

from __future__ import annotations

from outreach_contracts.campaigns import CampaignCompleted, CampaignStarted
from outreach_contracts.enrollments import ContactExited, EnrollmentChanged
from outreach_contracts.envelope import Envelope

from outreach_metrics.adapters.projections import Projections
from outreach_metrics.domain.funnel import fact_of

CAMPAIGN_STATUS = {
    "CampaignStarted": "active",
    "CampaignScheduled": "scheduled",
    "CampaignPaused": "paused",
    "CampaignResumed": "active",
    "CampaignStopped": "stopped",
    "CampaignCompleted": "completed",
}


async def project_enrollment(event: EnrollmentChanged | ContactExited, views: Projections) -> None:
    """Enrollment states, ordered by the version the scheduler stamps."""
    if isinstance(event, EnrollmentChanged):
        await views.set_enrollment(
            campaign_id=event.campaign_id,
            contact_id=event.contact_id,
            state=event.state,
            reason=event.reason,
            version=event.version,
            step_index=event.step_index,
        )


async def project_campaign(event: Envelope, views: Projections) -> None:
    """Campaign status and start date."""
    kind = getattr(event, "type", "")
    campaign_id = getattr(event, "campaign_id", "")
    changes: dict[str, object] = {"status": CAMPAIGN_STATUS.get(kind, "unknown"), "name": getattr(event, "name", "")}
    if isinstance(event, CampaignStarted):
        changes["started_on"] = event.occurred_at
    if isinstance(event, CampaignCompleted):
        changes["completed_on"] = event.occurred_at
    await views.set_campaign(campaign_id, changes, at=event.occurred_at)


async def project_fact(event: Envelope, views: Projections) -> None:
    """Funnel facts, one per event id."""
    kind = fact_of(event)
    campaign_id = getattr(event, "campaign_id", None)
    if kind is None or campaign_id is None:
        return
    await views.add_facts(
        [
            {
                "_id": str(event.event_id),
                "campaign_id": campaign_id,
                "kind": kind,
                "step_index": getattr(event, "step_index", None),
                "day": event.occurred_at.date().isoformat(),
            }
        ]
    )
