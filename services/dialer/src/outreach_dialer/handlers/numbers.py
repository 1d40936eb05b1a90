"""Caller ids: pick one for a call (local presence, rotation, caps), keep answer rates, rest bad numbers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from outreach_contracts.calls import NumberRested, NumberSelection
from outreach_contracts.contacts import ContactData
from outreach_windows.places import Place, place_of
from outreach_windows.presence import Candidate, choose

from outreach_dialer.domain.answers import answered_increment, counts, pruned
from outreach_dialer.handlers.deps import Deps


def _aware(value: datetime | None, like: datetime) -> datetime | None:
    return value.replace(tzinfo=like.tzinfo) if value is not None and value.tzinfo is None else value


def candidate(doc: dict[str, Any], now: datetime) -> Candidate:
    """A registry document as a selection candidate."""
    caps = doc.get("caps") or {}
    return Candidate(
        number=doc["_id"],
        place=Place(doc.get("country"), doc.get("state"), doc.get("area_code")),
        tags=frozenset(doc.get("tags") or ()),
        per_hour=caps.get("per_hour"),
        per_day=caps.get("per_day"),
        cooldown_s=float(doc.get("cooldown_s") or 0),
        last_used_at=_aware(doc.get("last_used_at"), now),
        uses=tuple(t for t in (_aware(u, now) for u in doc.get("uses") or ()) if t is not None),
    )


async def pick_number(selection: NumberSelection, contact: ContactData, deps: Deps, *, workspace_id: str) -> str | None:
    """A caller id for the contact, recorded as used; None when every allowed number is capped or resting.

    Specific numbers not in the registry are used as given; with no selection and an empty registry the
    configured default caller id is used."""
    now = deps.clock.now()
    if not selection.numbers and not selection.tags and await deps.numbers.empty(workspace_id):
        return deps.default_caller_id
    query: dict[str, Any] = {"workspace_id": workspace_id, "status": "active", "capabilities": "voice"}
    if selection.numbers:
        query["_id"] = {"$in": selection.numbers}
    elif selection.tags:
        query["tags"] = {"$in": selection.tags}
    for _ in range(5):  # another instance may take the chosen number first
        docs = await deps.numbers.all(query)
        if not docs:
            if selection.numbers and not await deps.numbers.all({"_id": {"$in": selection.numbers}}):
                return selection.numbers[0]  # numbers outside the registry: no caps to honour
            if not selection.numbers and not selection.tags and await deps.numbers.empty(workspace_id, 0):
                return deps.default_caller_id
            return None
        chosen = choose(
            [candidate(d, now) for d in docs],
            contact=place_of(contact.phone),
            contact_state=contact.state,
            now=now,
            local_presence=selection.local_presence,
        )
        if chosen is None:
            return None
        raw = next(d for d in docs if d["_id"] == chosen.number)
        caps = [c for c in (chosen.per_hour, chosen.per_day) if c]
        if not caps and not chosen.cooldown_s:  # nothing to arbitrate: the use is noted for rotation only
            await deps.numbers.take(chosen.number, last_used_at=None, uses=[], now=now, exclusive=False)
            return chosen.number
        # the uses the caps can count (the last day's, at most as many as the larger cap), not every call
        recent = sorted(t for t in chosen.uses if t > now - timedelta(days=1))[-max(caps) :] if caps else []
        taken = await deps.numbers.take(chosen.number, last_used_at=raw.get("last_used_at"), uses=recent, now=now)
        if taken:
            return chosen.number
    return None


async def record_answer(number: str, answered: bool, deps: Deps, *, workspace_id: str) -> None:
    """Count the call's outcome in its number's hour, in memory until `flush_answers` writes the counts (an
    answer rate: a crash loses a few seconds of counts, and a busy number costs one write every few seconds
    instead of one per call)."""
    if await deps.numbers.empty(workspace_id):
        return
    counts_ = deps.run.answers.setdefault(number, {})
    for path, value in answered_increment(deps.clock.now(), answered).items():
        counts_[path] = counts_.get(path, 0) + value


async def flush_answers(deps: Deps) -> int:
    """Write the answer counts held in memory, one $inc per number; how many numbers."""
    held, deps.run.answers = deps.run.answers, {}
    for number, inc in held.items():
        await deps.numbers.update(number, {}, inc=inc)
    return len(held)


async def check_health(deps: Deps) -> list[str]:
    """Rest numbers whose answer rate fell below the configured share of their workspace's pool; wake rested
    ones."""
    await flush_answers(deps)
    workspaces: dict[str, list[dict[str, Any]]] = {}
    for doc in await deps.numbers.all():
        workspaces.setdefault(doc.get("workspace_id") or "", []).append(doc)
    return [n for docs in workspaces.values() for n in await _check_pool(docs, deps)]


async def _check_pool(docs: list[dict[str, Any]], deps: Deps) -> list[str]:
    now = deps.clock.now()
    for doc in docs:
        until = _aware(doc.get("rested_until"), now)
        if doc.get("status") == "rested" and until is not None and until <= now:
            await deps.numbers.update(doc["_id"], {"status": "active", "rested_until": None})
    rates: dict[str, tuple[int, int]] = {}
    for doc in docs:
        rates[doc["_id"]] = counts(doc, now=now, window_h=deps.health.window_h)
        if (stale := pruned(doc, now=now, window_h=deps.health.window_h)) is not None:
            # race: an answer counted between the read above and this write is lost (a rate, not a ledger)
            await deps.numbers.update(doc["_id"], stale)
    answered, total = sum(a for a, _ in rates.values()), sum(t for _, t in rates.values())
    if total == 0:
        return []
    pool = answered / total
    rested = []
    for doc in docs:
        a, t = rates[doc["_id"]]
        if doc.get("status") != "active" or t < deps.health.min_calls or a / t >= deps.health.share * pool:
            continue
        until = now + timedelta(hours=deps.health.rest_h)
        await deps.numbers.update(doc["_id"], {"status": "rested", "rested_until": until})
        event = NumberRested(
            occurred_at=now,
            workspace_id=doc.get("workspace_id") or "",
            number=doc["_id"],
            answer_rate=round(a / t, 4),
            pool_answer_rate=round(pool, 4),
            until=until,
        )
        await deps.bus.publish(event, topic=deps.topics.calls, key=doc["_id"])
        rested.append(doc["_id"])
    return rested
