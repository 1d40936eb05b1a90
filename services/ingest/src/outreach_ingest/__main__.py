"""`python -m outreach_ingest`: run the ingest service."""

from __future__ import annotations

from outreach_common.runtime import serve

from outreach_ingest.bootstrap import build
from outreach_ingest.config import Settings


def main() -> None:
    """Run the service until stopped."""
    settings = Settings()
    serve(build(settings), settings)


if __name__ == "__main__":
    main()
