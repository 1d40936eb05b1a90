"""What an import job needs, wired once in bootstrap."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from outreach_common.clock import Clock
from outreach_common.kafka import EventBus
from outreach_contracts.topics import Topics

from outreach_ingest.adapters.dnc import SuppressionRepository
from outreach_ingest.adapters.locks import CampaignLocks
from outreach_ingest.adapters.repository import ContactRepository, ImportRepository
from outreach_ingest.instruments import Instruments


@dataclass
class Deps:
    """What import handlers need."""

    contacts: ContactRepository
    imports: ImportRepository
    dnc: SuppressionRepository
    locks: CampaignLocks
    bus: EventBus
    clock: Clock
    topics: Topics
    batch: int = 5000
    seen_in_memory: int = 1_500_000
    in_flight: int = 2
    lease: timedelta = timedelta(seconds=60)
    running: set[str] = field(default_factory=set)
    stopping: set[str] = field(default_factory=set)  # asked to cancel while this process runs them
    started: dict[str, asyncio.Event] = field(default_factory=dict)  # set once reading began or the run ended
    instruments: Instruments = field(default_factory=Instruments)


class LockLostError(RuntimeError):
    """Another run took the campaign's import lock (this one stalled past its lease)."""
