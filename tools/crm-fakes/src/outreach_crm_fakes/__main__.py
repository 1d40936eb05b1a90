"""`outreach-crm-fakes hubspot --port N`: one fake CRM on 127.0.0.1."""

from __future__ import annotations

import argparse

import uvicorn

from outreach_crm_fakes import hubspot


def main() -> None:
    parser = argparse.ArgumentParser(description="A fake CRM server")
    parser.add_argument("crm", choices=["hubspot"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", default="fake-client")
    parser.add_argument("--client-secret", default="fake-secret")
    args = parser.parse_args()
    state = hubspot.HubSpotState(client=(args.client_id, args.client_secret))
    uvicorn.run(hubspot.create_app(state), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
