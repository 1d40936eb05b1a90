"""A database restart while the dialer works on a call never strands the call: whichever write or read fails
(taking it from the queue, putting it back, claiming it, recording the command whose answer is lost), the
call stays in this instance's queue or is queued again, and it is placed exactly once when the database is
back. A call lost from the queue while its record says this live instance holds it would never be dialed:
its contact would stay `active` and its campaign open."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from outreach_dialer.handlers import placing, queue
from outreach_dialer.handlers.deps import Deps
from pymongo.errors import AutoReconnect

from tests.unit.dialer.test_handlers import command, dial_all, make_deps, parts

pytestmark = pytest.mark.unit
KEY = "cmp:ct1:0:1"


def away_once(obj: Any, name: str, *, done_first: bool = False) -> None:
    """The next call of `obj.name` fails as a restarting database does; with `done_first` the work is done and
    only its answer is lost."""
    real: Callable[..., Awaitable[Any]] = getattr(obj, name)

    async def once(*args: Any, **kwargs: Any) -> Any:
        setattr(obj, name, real)
        if done_first:
            await real(*args, **kwargs)
        raise AutoReconnect("connection closed: the database is restarting")

    setattr(obj, name, once)


def placed_once(deps: Deps) -> None:
    calls, limits, provider, _ = parts(deps)
    assert [r.to for r in provider.requests] == ["+12125550001"]
    assert KEY in deps.run.live and calls.claims[KEY]["owner"] == deps.run.instance
    assert not deps.run.queue and not deps.run.taking
    assert len(limits.used) == 1  # the call's one account slot, none leaked


@pytest.mark.parametrize("step", ["acquire", "reserve_slot"])
async def test_a_call_taken_from_the_queue_goes_back_when_the_database_fails(step: str) -> None:
    deps = make_deps()
    await queue.enqueue_call(command(), deps)
    away_once(parts(deps)[1], step)
    with pytest.raises(AutoReconnect):
        await queue.dial_next(deps)
    assert KEY in deps.run.queue and not deps.run.taking
    assert not parts(deps)[1].used  # a slot it had taken is returned
    await dial_all(deps)
    placed_once(deps)


async def test_a_requeue_whose_write_fails_keeps_the_call_in_the_queue() -> None:
    deps = make_deps()
    await queue.enqueue_call(command(), deps)
    [doc] = list(deps.run.queue.take(skip=set()))
    away_once(parts(deps)[0], "requeue")
    with pytest.raises(AutoReconnect):
        await placing.requeue(doc, deps, "no caller id available")
    assert KEY in deps.run.queue


async def test_a_claim_that_fails_before_the_provider_is_asked_puts_the_call_back_even_if_nothing_else_works() -> None:
    deps = make_deps()
    calls = parts(deps)[0]
    await queue.enqueue_call(command(), deps)
    away_once(calls, "claim", done_first=True)  # the claim is stored, its answer lost
    away_once(calls, "requeue")
    away_once(calls, "unclaim")
    await dial_all(deps)
    assert KEY in deps.run.queue and not parts(deps)[2].requests
    await dial_all(deps)  # its own claim is won again
    placed_once(deps)


async def test_a_command_whose_insert_answer_was_lost_is_queued_when_it_comes_again() -> None:
    deps = make_deps()
    away_once(parts(deps)[0], "enqueue", done_first=True)
    with pytest.raises(AutoReconnect):
        await queue.enqueue_call(command(), deps)  # recorded, not queued: the consumer will deliver it again
    assert not deps.run.queue
    await queue.enqueue_call(command(), deps)
    await queue.enqueue_call(command(), deps)  # a third delivery finds it in hand
    assert len(deps.run.queue) == 1
    await dial_all(deps)
    await queue.enqueue_call(command(), deps)  # and after it was placed
    assert not deps.run.queue
    placed_once(deps)


async def test_a_repeated_command_of_another_instances_call_is_left_to_it() -> None:
    deps = make_deps()
    await queue.enqueue_call(command(), deps)
    other = make_deps(calls=parts(deps)[0])
    await queue.enqueue_call(command(), other)
    assert not other.run.queue and KEY in deps.run.queue
