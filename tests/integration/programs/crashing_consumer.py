"""A consumer process that dies (os._exit, no clean-up) while handling row 2, for the crash-loop test.

Usage: python -m tests.integration.programs.crashing_consumer BOOTSTRAP MONGO_URL RUN_ID HANDLED_FILE
Exits 0 once rows 1 and 3 were handled, 4 when that did not happen within 60 s."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from faststream.kafka import KafkaBroker
from outreach_common.attempts import MongoAttempts
from outreach_common.consumer import DeadLetters
from outreach_common.mongo import make_client
from outreach_contracts.contacts import ContactImported
from outreach_contracts.topics import Topics

from tests.integration.contacts_consumer import subscribe_contacts


async def main(bootstrap: str, mongo_url: str, run_id: str, handled_file: Path) -> int:
    topics = Topics(f"{run_id}.")
    broker = KafkaBroker(bootstrap)
    client = make_client(mongo_url)
    seen: set[int] = set()

    async def handle(event: ContactImported) -> None:
        if event.row == 2:
            os._exit(3)  # the process dies mid-message: nothing is committed, nothing is cleaned up
        with handled_file.open("a") as out:
            out.write(f"{event.row}\n")
        seen.add(event.row)

    dead_letters = DeadLetters(broker, topics.dead_letters, MongoAttempts(client[f"{run_id}_attempts"]))
    subscribe_contacts(broker, topics, run_id, handle, dead_letters, max_attempts=2)
    await broker.start()
    try:
        for _ in range(600):
            if {1, 3} <= seen or (3 in seen and _handled_before(handled_file)):
                return 0
            await asyncio.sleep(0.1)
        return 4
    finally:
        await broker.stop()
        await client.close()


def _handled_before(handled_file: Path) -> bool:
    """Row 1 was handled by an earlier run of this program."""
    return "1" in handled_file.read_text().split()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]))))
