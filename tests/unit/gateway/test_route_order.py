"""The proxy's routes for the services' own paths come before the gateway's own routes: they must take
exactly the paths a service owns, and none of the gateway's."""

from __future__ import annotations

import pytest
from outreach_gateway.bootstrap import build
from outreach_gateway.config import Settings
from outreach_gateway.domain.access import API_PREFIX, service_for
from outreach_gateway.entrypoints import proxy
from starlette.routing import BaseRoute, Match, Route

pytestmark = pytest.mark.unit


def _app():  # type: ignore[no-untyped-def]
    return build(Settings(mongo_url="mongodb://127.0.0.1:1"))


def _first_match(path: str, method: str = "GET") -> BaseRoute:
    """The first route that takes the request fully (a route of the proxy, or of the gateway's own)."""
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    for route in _app().router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    raise AssertionError(f"no route for {path}")


@pytest.mark.parametrize(
    "path",
    ["/campaigns", "/campaigns/c1/overview", "/overviews", "/imports/i/rejected.csv", "/dnc/+1212",
     "/crm/oauth/hubspot/start", "/numbers", "/agents/a", "/calls", "/messages", "/templates/preview"],
)  # fmt: skip
def test_a_service_path_is_matched_by_the_proxy_first(path: str) -> None:
    route = _first_match(API_PREFIX + path, "POST")
    assert isinstance(route, Route) and route.endpoint is proxy.api
    assert route.path == API_PREFIX + "/{path:owned}"
    assert service_for(path) is not None


@pytest.mark.parametrize(
    "path", ["/workspaces", "/keys", "/keys/k1/rotate", "/people", "/auth/logout", "/audit", "/openapi.json"]
)
def test_the_gateways_own_paths_are_not_taken_by_the_proxy(path: str) -> None:
    reads = ("/keys", "/people", "/audit", "/openapi.json")
    route = _first_match(API_PREFIX + path, "GET" if path in reads else "POST")
    assert getattr(route, "endpoint", None) is not proxy.api
    assert service_for(path) is None


def test_an_unknown_path_still_reaches_the_catch_all() -> None:
    route = _first_match(API_PREFIX + "/campaignsx")
    assert isinstance(route, Route) and route.endpoint is proxy.api and route.path == API_PREFIX + "/{path:path}"


def test_every_owned_path_is_one_of_the_first_routes() -> None:
    from outreach_gateway.domain.access import ROUTES

    for pattern, _service in ROUTES:
        example = pattern.pattern.replace("^", "").replace("$", "").replace("[^/]+", "x").replace("(/.*)?", "")
        example = example.replace("(imports|dnc|crm)", "dnc").replace("(numbers|agents|calls)", "calls")
        example = example.replace("(messages|templates)", "messages")
        assert getattr(_first_match(API_PREFIX + example), "path", None) == API_PREFIX + "/{path:owned}", example
