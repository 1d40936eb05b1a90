"""A call a dialer was placing when it stopped is found at the provider (the Twilio-compatible simulator,
through the real twilio SDK) by number, caller id and time, and only a call made since then matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_devstack.stack import free_port
from outreach_dialer.adapters.provider import CallRequest, TwilioProvider
from outreach_twilio_sim.app import build as build_sim

from tests.integration.helpers import serving

pytestmark = pytest.mark.integration

SID, TOKEN = "AC" + "7" * 32, "test-token-lookup"


async def test_a_call_is_found_by_number_caller_id_and_time() -> None:
    port = free_port()
    async with serving(build_sim(account_sid=SID, auth_token=TOKEN), port) as url:
        provider = TwilioProvider(account_sid=SID, auth_token=TOKEN, base_url=url)
        await provider.start()
        try:
            before = datetime.now(UTC) - timedelta(seconds=5)
            request = CallRequest(to="+12125550123", from_="+13125550100", status_callback=f"{url}/none",
                                  url="http://agent.test/twiml", twiml=None)  # fmt: skip
            sid = await provider.create_call(request)
            assert await provider.find_call(to="+12125550123", from_="+13125550100", after=before) == sid
            assert await provider.find_call(to="+12125550123", from_="+13125559999", after=before) is None
            later = datetime.now(UTC) + timedelta(minutes=1)
            assert await provider.find_call(to="+12125550123", from_="+13125550100", after=later) is None
        finally:
            await provider.close()
