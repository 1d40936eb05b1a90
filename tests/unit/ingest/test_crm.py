"""CRM pieces of ingest on their own: write-backs once per call and per opt-out (a redelivered event writes
nothing twice, a refused one is dead-lettered with its reason), the HTTP client's retries and pacing,
sealed credentials, HubSpot's time zones."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from outreach_common.consumer import PoisonMessage
from outreach_contracts.calls import CallAnalyzed, CallCompleted
from outreach_contracts.messages import ContactOptedOut
from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmHttp, CrmRefusedError
from outreach_ingest.adapters.crm.hubspot import limits
from outreach_ingest.adapters.crm.keys import token_box
from outreach_ingest.adapters.crm.secrets import SecretsUnreadableError, TokenBox
from outreach_ingest.domain.crm import hubspot_zone
from outreach_ingest.domain.hubspot_signature import signature, valid
from outreach_ingest.handlers import crm_writeback

from tests.unit.fakes.crm import FakeCrmDeps, crm_deps

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def linked() -> FakeCrmDeps:
    deps = crm_deps()
    store = deps.store
    store.connections["crm_1"] = {"_id": "crm_1", "kind": "hubspot", "sealed": "", "status": "connected"}  # type: ignore[attr-defined]
    store.links["ct_1"] = {"_id": "ct_1", "connection_id": "crm_1", "record_id": "501", "phone": "+12125550100"}  # type: ignore[attr-defined]
    store.phones["ws|+12125550100"] = [{"connection_id": "crm_1", "record_id": "501"}]  # type: ignore[attr-defined]
    return deps


def completed(outcome: str = "answered_human") -> CallCompleted:
    return CallCompleted(occurred_at=NOW, workspace_id="ws", idempotency_key="cmp:ct_1:0:1", campaign_id="cmp",
                         contact_id="ct_1", step_index=0, call_id="call_1", outcome=outcome, duration_s=42)  # fmt: skip


async def test_a_call_is_written_back_once_however_often_its_event_comes() -> None:
    deps = linked()
    event = completed()
    await crm_writeback.call_completed(event, deps)
    await crm_writeback.call_completed(event, deps)  # redelivered
    assert list(deps.connector.calls.values()) == [
        {"record": "501", "title": "Outreach call cmp:ct_1:0:1", "body": "Outcome: answered human\nDuration: 42 s"}
    ]
    analysis = CallAnalyzed(occurred_at=NOW, workspace_id="ws", idempotency_key="cmp:ct_1:0:1", campaign_id="cmp",
                            contact_id="ct_1", call_id="call_1", disposition="renewing",
                            summary="Renews in May")  # fmt: skip
    await crm_writeback.call_analyzed(analysis, deps)
    [call] = deps.connector.calls.values()
    assert "Disposition: renewing" in call["body"] and "Summary: Renews in May" in call["body"]
    assert "Duration: 42 s" in call["body"]  # the analysis adds to what the call said


async def test_a_write_back_cut_short_is_found_not_written_again() -> None:
    deps = linked()
    await crm_writeback.call_completed(completed(), deps)
    deps.store.ledger["cmp:ct_1:0:1"].update(pending=True, crm_id=None, events=[])  # type: ignore[attr-defined]
    await crm_writeback.call_completed(completed(), deps)  # as after a crash between the CRM and the ledger
    assert len(deps.connector.calls) == 1


async def test_contacts_not_from_a_crm_are_left_alone() -> None:
    deps = linked()
    event = completed().model_copy(update={"contact_id": "ct_csv"})
    await crm_writeback.call_completed(event, deps)
    assert deps.connector.calls == {}


async def test_a_refused_write_back_is_dead_lettered_with_why_and_a_broken_connection_marked() -> None:
    deps = linked()
    deps.connector.fail = CrmRefusedError(400, "property hs_call_title is read-only")
    with pytest.raises(PoisonMessage, match="read-only"):
        await crm_writeback.call_completed(completed(), deps)
    deps.connector.fail = CrmConnectionError("HubSpot: the token was refused (revoked or wrong)")
    with pytest.raises(PoisonMessage, match="revoked"):
        await crm_writeback.call_completed(completed("busy"), deps)
    assert deps.store.connections["crm_1"]["status"] == "broken"  # type: ignore[attr-defined]


async def test_an_opt_out_sets_the_flag_on_each_record_once() -> None:
    deps = linked()
    event = ContactOptedOut(occurred_at=NOW, workspace_id="ws", phone="+12125550100", channel="sms")
    await crm_writeback.opted_out(event, deps)
    await crm_writeback.opted_out(event, deps)
    await crm_writeback.opted_out(event.model_copy(update={"phone": "+13125550100"}), deps)  # no record has it
    assert deps.connector.opted_out == ["501"]


def transport(answers: list[httpx.Response], seen: list[float]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(time.monotonic())
        return answers.pop(0)

    return httpx.MockTransport(handle)


async def _auth() -> dict[str, str]:
    return {"Authorization": "Bearer t"}


async def test_a_429_waits_as_long_as_the_crm_asks_then_succeeds() -> None:
    seen: list[float] = []
    answers = [
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(503),
        httpx.Response(200, json={"ok": 1}),
    ]
    client = httpx.AsyncClient(transport=transport(answers, seen), base_url="http://crm")
    http = CrmHttp(crm="CRM", base_url="http://crm", auth=_auth, client=client)
    assert await http.request("GET", "/x") == {"ok": 1}
    assert seen[1] - seen[0] >= 0.95 and http.requests == 3


async def test_refusals_say_why() -> None:
    for answer, error, words in (
        (httpx.Response(401, text="expired token"), CrmConnectionError, "expired"),
        (httpx.Response(403, text="missing scope crm.lists.read"), CrmConnectionError, "scope"),
        (httpx.Response(404, text="list 9 not found"), CrmRefusedError, "not found"),
    ):
        client = httpx.AsyncClient(transport=transport([answer], []), base_url="http://crm")
        http = CrmHttp(crm="CRM", base_url="http://crm", auth=_auth, client=client)
        with pytest.raises(error, match=words):
            await http.request("GET", "/x")


async def test_requests_are_spaced_by_the_announced_rate() -> None:
    seen: list[float] = []
    headers = {"X-HubSpot-RateLimit-Max": "20", "X-HubSpot-RateLimit-Interval-Milliseconds": "1000",
               "X-HubSpot-RateLimit-Remaining": "19"}  # fmt: skip
    answers = [httpx.Response(200, json={}, headers=headers) for _ in range(6)]
    client = httpx.AsyncClient(transport=transport(answers, seen), base_url="http://crm")
    http = CrmHttp(crm="CRM", base_url="http://crm", auth=_auth, client=client, limits=limits)
    for _ in range(6):
        await http.request("GET", "/x")
    # 20 a second: 50 ms apart (a little more, to stay under), on a schedule of slots: one request woken
    # late (a busy machine) leaves a shorter gap to the next, so the span of the paced ones is checked
    assert seen[-1] - seen[1] >= 4 * 0.045


def test_credentials_are_sealed_and_a_key_rotates() -> None:
    old, new = TokenBox.new_key(), TokenBox.new_key()
    sealed = TokenBox([old]).seal({"access_token": "secret-token"})
    assert "secret-token" not in sealed
    both = TokenBox([new, old])
    assert both.open(sealed) == {"access_token": "secret-token"}
    resealed = both.rotate(sealed)
    assert TokenBox([new]).open(resealed) == {"access_token": "secret-token"}
    with pytest.raises(SecretsUnreadableError):
        TokenBox([new]).open(sealed)


@pytest.mark.parametrize(
    ("value", "zone"),
    [
        ("america_slash_new_york", "America/New_York"),
        ("america_slash_argentina_slash_buenos_aires", "America/Argentina/Buenos_Aires"),
        ("europe_slash_london", "Europe/London"),
        ("", None),
    ],
)
def test_hubspot_time_zones_read_as_iana_names(value: str, zone: str | None) -> None:
    assert hubspot_zone(value) == zone


def test_a_hubspot_webhook_is_taken_only_when_signed_with_the_secret_and_fresh() -> None:
    now = int(time.time() * 1000)
    args = {"method": "POST", "uri": "https://out.example/webhooks/crm/hubspot/crm_1", "body": b'[{"objectId": 1}]'}
    good = signature("app-secret", **args, timestamp=str(now))  # type: ignore[arg-type]
    assert valid("app-secret", **args, timestamp=str(now), given=good, now_ms=now + 1000)  # type: ignore[arg-type]
    assert not valid("other", **args, timestamp=str(now), given=good, now_ms=now)  # type: ignore[arg-type]
    assert not valid("app-secret", **{**args, "body": b"[]"}, timestamp=str(now), given=good, now_ms=now)  # type: ignore[arg-type]
    assert not valid("app-secret", **args, timestamp=str(now), given=good, now_ms=now + 6 * 60_000)  # type: ignore[arg-type]


def test_production_needs_its_own_sealing_keys(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="OUTREACH_CRM_KEYS"):
        token_box([], tmp_path, environment="production")
    development = token_box([], tmp_path)
    assert token_box([], tmp_path).open(development.seal({"a": 1})) == {"a": 1}  # the same key, kept
