"""`python -m outreach_gateway`: run the gateway."""

from __future__ import annotations

from outreach_common.runtime import serve

from outreach_gateway.bootstrap import build
from outreach_gateway.config import Settings


def main() -> None:
    """Run the gateway until stopped."""
    settings = Settings()
    serve(build(settings), settings)


if __name__ == "__main__":
    main()
