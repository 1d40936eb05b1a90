"""`python -m outreach_metrics`: run the metrics service."""

from __future__ import annotations

from outreach_common.runtime import serve

from outreach_metrics.bootstrap import build
from outreach_metrics.config import Settings


def main() -> None:
    """Run the service until stopped."""
    settings = Settings()
    serve(build(settings), settings)


if __name__ == "__main__":
    main()
