"""A dispatch round's bulk encoding holds exactly what the models built one by one would."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import TraceContext
from outreach_contracts.registry import ANY_MESSAGE
from outreach_contracts.topics import Topics
from outreach_scheduler.adapters.round_encoding import encoded_round
from outreach_scheduler.domain.campaign import CampaignSpec
from outreach_scheduler.domain.enrollment import Enrollment, dispatch
from outreach_scheduler.domain.messages import state_events, step_command
from outreach_scheduler.handlers.deps import Deps

pytestmark = pytest.mark.unit

WINDOW = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "20:00", "compliance": "us_tcpa"}
FLOW = [
    {"kind": "phone", "agent_id": "agt_1", "machine_detection": "DetectMessageEnd", "record": True},
    {"kind": "sms", "body": "Hi {{ first_name }}", "window": {"start": "10:00", "end": "12:00"}},
    {"kind": "email", "subject": "Renewal", "body": "Dear {{ first_name }}", "html": "<p>Dear</p>"},
]
SPEC = CampaignSpec.model_validate(
    {"name": "R", "window": WINDOW, "flow": FLOW, "numbers": {"tags": ["sales"]}, "max_concurrent_calls": 4}
)
NOW = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
JOURNEY = TraceContext(traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate="k=v")


def _claimed(step: int, i: int, *, trace: TraceContext | None = None, reason: str | None = None) -> Enrollment:
    contact = ContactData(phone=f"+1212555{i:04d}", first_name=f'Ada "{i}" é', fields={"plan": "gold"})
    queued = Enrollment(
        campaign_id="cmp_1", contact_id=f"ct_{i}", workspace_id="ws_1", contact=contact, step_index=step,
        attempt=1 + i % 3, due_at=NOW, version=2 + i, trace=trace, reason=reason,
    )  # fmt: skip
    return dispatch(queued)


def _topic_of(message: object) -> str:
    deps = Deps.__new__(Deps)
    deps.topics = Topics()
    return deps.topic_of(message)  # type: ignore[arg-type]


def _comparable(message: object) -> dict[str, object]:
    found: dict[str, object] = json.loads(message.model_dump_json())  # type: ignore[attr-defined]
    found.pop("event_id")
    return found


def test_each_step_kind_encodes_as_its_models_with_and_without_a_journey() -> None:
    claimed = [_claimed(step, i, trace=JOURNEY if i % 2 else None, reason="retry" if i == 4 else None)
               for i, step in enumerate([0, 0, 1, 1, 2, 2, 0])]  # fmt: skip
    items = encoded_round(claimed, {"cmp_1": SPEC}, now=NOW, topic_of=_topic_of)
    assert len(items) == 2 * len(claimed)
    ids = set()
    for e, pair in zip(claimed, zip(items[::2], items[1::2], strict=True), strict=True):
        expected = [step_command(e, SPEC, now=NOW), *state_events(e, now=NOW)]
        if e.trace is not None:
            expected = [m.model_copy(update={"trace": e.trace}) for m in expected]
        for (encoded, topic, key), model in zip(pair, expected, strict=True):
            decoded = ANY_MESSAGE.validate_json(encoded.value)
            assert _comparable(decoded) == _comparable(model)
            assert (topic, key, encoded.type) == (_topic_of(model), e.contact_id, model.type)  # type: ignore[attr-defined]
            assert (encoded.traceparent, encoded.tracestate) == (model.trace.traceparent, model.trace.tracestate)
            ids.add(decoded.event_id)
    assert len(ids) == len(items)


def test_a_step_that_is_not_active_goes_the_models_way() -> None:
    exited = Enrollment(
        campaign_id="cmp_1", contact_id="ct_x", workspace_id="ws_1", contact=ContactData(phone="+12125550100"),
        state="exited", reason="answered", version=5,
    )  # fmt: skip
    items = encoded_round([exited], {"cmp_1": SPEC}, now=NOW, topic_of=_topic_of)
    assert len({ANY_MESSAGE.validate_json(m.value).event_id for m, _, _ in items}) == 3  # each its own id
    assert [ANY_MESSAGE.validate_json(m.value).type for m, _, _ in items] == [  # type: ignore[union-attr]
        "PlaceCall", "EnrollmentChanged", "ContactExited"
    ]  # fmt: skip
