"""Opt-outs this instance heard of lately, kept in memory: a call's last check right before it is placed
reads them instead of the database (whose answer, read a moment earlier, could miss an opt-out heard since)."""

from __future__ import annotations


class RecentOptOuts:
    """Workspace and number of the opt-outs heard in the last `keep_s` seconds (older ones are in the database,
    which every call reads before its last wait)."""

    def __init__(self, keep_s: float = 600.0) -> None:
        self.keep_s = keep_s
        self._heard: dict[tuple[str, str], float] = {}  # (workspace, number) -> heard at (monotonic)
        self._pruned_at = 0.0

    def add(self, workspace_id: str, phone: str, now: float) -> None:
        """An opt-out was heard at `now` (a monotonic time)."""
        self._heard[(workspace_id, phone)] = now
        if now - self._pruned_at > self.keep_s:
            self._heard = {key: at for key, at in self._heard.items() if now - at <= self.keep_s}
            self._pruned_at = now

    def __contains__(self, key: object) -> bool:
        return key in self._heard
