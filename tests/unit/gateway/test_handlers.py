"""The gateway's account handlers and its authenticator on in-memory fakes of its stores: workspaces with
their first admin, sign-in, keys (scopes, revocation), invitations, sessions that expire."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from outreach_common.clock import VirtualClock
from outreach_gateway.adapters.accounts import EmailTakenError
from outreach_gateway.handlers import accounts
from outreach_gateway.handlers.accounts import AccountDeps
from outreach_gateway.handlers.auth import Authenticator

from tests.unit.fakes.gateway import FakeAccounts, FakeAudit, FakeCredentials

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def make_deps() -> AccountDeps:
    return AccountDeps(accounts=FakeAccounts(), credentials=FakeCredentials(), audit=FakeAudit(),  # type: ignore[arg-type]
                       clock=VirtualClock(NOW), session_ttl_h=12)  # fmt: skip


async def test_a_workspace_comes_with_an_admin_who_signs_in_and_an_admin_key() -> None:
    deps = make_deps()
    auth = Authenticator(deps.credentials, deps.clock, cache_s=0)
    workspace_id, secret = await accounts.create_workspace(
        deps, name="Acme", admin_email="ops@acme.test", admin_password="long enough"
    )
    principal = await auth.from_headers(f"Bearer {secret}", None)
    assert principal is not None and principal.workspace_id == workspace_id and principal.allows("admin")
    assert await accounts.sign_in(deps, email="ops@acme.test", password="wrong one") is None
    signed = await accounts.sign_in(deps, email="ops@acme.test", password="long enough")
    assert signed is not None
    person = await auth.from_headers(None, signed[0])
    assert person is not None and person.subject == f"person:{signed[1]['_id']}"
    with pytest.raises(EmailTakenError):  # an email signs in to one person only
        await accounts.create_workspace(deps, name="Other", admin_email="ops@acme.test", admin_password="x" * 8)
    assert isinstance(deps.audit, FakeAudit)
    assert [e["action"] for e in deps.audit.entries] == ["workspace.create", "key.create"]


async def test_a_key_carries_its_scopes_and_stops_working_when_revoked() -> None:
    deps = make_deps()
    auth = Authenticator(deps.credentials, deps.clock, cache_s=0)
    doc, secret = await accounts.create_key(deps, workspace_id="ws", name="ci", scopes=["read"], actor="key:k")
    reader = await auth.key(secret)
    assert reader is not None and reader.allows("read") and not reader.allows("write")
    assert await auth.key(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    await deps.credentials.revoke_key(doc["_id"], at=NOW)
    assert await auth.key(secret) is None
    assert await auth.from_headers("Basic abc", None) is None


async def test_a_cached_verdict_lasts_its_cache_time_unless_forgotten() -> None:
    deps = make_deps()
    auth = Authenticator(deps.credentials, deps.clock, cache_s=60)
    doc, secret = await accounts.create_key(deps, workspace_id="ws", name="ci", scopes=["write"], actor="key:k")
    assert await auth.key(secret) is not None
    await deps.credentials.revoke_key(doc["_id"], at=NOW)
    assert await auth.key(secret) is not None  # within the cache time
    auth.forget()
    assert await auth.key(secret) is None
    await asyncio.sleep(0)  # the last-use write ran off the request path
    assert isinstance(deps.credentials, FakeCredentials) and deps.credentials.touched == [doc["_id"]]


async def test_an_invitation_is_accepted_once_and_a_session_expires() -> None:
    deps = make_deps()
    _, token = await accounts.invite(deps, workspace_id="ws", email="new@acme.test", role="operator",
                                          actor="person:admin")  # fmt: skip
    assert await accounts.sign_in(deps, email="new@acme.test", password="") is None  # no password yet
    assert await accounts.accept(deps, token=token, password="chosen pass") is not None
    assert await accounts.accept(deps, token=token, password="again pass") is None
    signed = await accounts.sign_in(deps, email="new@acme.test", password="chosen pass")
    assert signed is not None
    auth = Authenticator(deps.credentials, deps.clock, cache_s=0)
    session = await auth.session(signed[0])
    assert session is not None and session.allows("write") and not session.allows("admin")
    assert isinstance(deps.clock, VirtualClock)
    deps.clock.advance(timedelta(hours=13))
    assert await auth.session(signed[0]) is None
