"""Stricter state calling rules, one row per state: hours per weekday (local, end exclusive; None: no calls
that day), whether the state's legal holidays are banned, the per-24h cap, and the statute.

This is our reading of each statute, kept as data so a compliance officer can check it row by row (each row
has a test at its edges); it is not legal advice. States not listed follow the federal floor (TCPA)."""

from __future__ import annotations

from dataclasses import dataclass

Hours = tuple[int, int] | None
WEEK = 7


def hm(text: str) -> int:
    """Minutes of the day of "HH:MM"."""
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True, slots=True)
class StateRule:
    """One state's calling rules."""

    week: tuple[Hours, ...]  # Monday first
    statute: str
    holidays: bool = False  # no calls on the state's legal holidays
    max_calls_per_24h: int | None = None


def rule(
    statute: str,
    daily: str,
    *,
    saturday: str | None = "same",
    sunday: str | None = "same",
    holidays: bool = False,
    cap: int | None = None,
) -> StateRule:
    """A row: `daily` ("HH:MM-HH:MM") on weekdays; Saturday and Sunday the same unless given (None: banned)."""

    def hours(text: str | None) -> Hours:
        if text is None:
            return None
        start, end = (text if text != "same" else daily).split("-")
        return hm(start), hm(end)

    return StateRule((hours(daily),) * 5 + (hours(saturday), hours(sunday)), statute, holidays, cap)


TCPA = rule("47 C.F.R. § 64.1200(c)(1) (TCPA): not before 8 a.m. or after 9 p.m. local time", "08:00-21:00")

STATE_RULES: dict[str, StateRule] = {
    "AL": rule("Ala. Code § 8-19A (Alabama Telemarketing Act)", "08:00-20:00", sunday=None, holidays=True),
    "CT": rule("Conn. Gen. Stat. § 42-288a", "09:00-20:00"),
    "FL": rule("Fla. Stat. § 501.059(8)(a) (Florida Telephone Solicitation Act)", "08:00-20:00", cap=3),
    "KY": rule("Ky. Rev. Stat. § 367.46955", "10:00-21:00"),
    "LA": rule(
        "La. Rev. Stat. § 45:844.11 ff. (Telephone Solicitation Relief Act)", "08:00-20:00", sunday=None, holidays=True
    ),
    "MA": rule("Mass. Gen. Laws ch. 159C (Telephone Solicitation)", "08:00-20:00"),
    "MD": rule("Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023)", "08:00-20:00", cap=3),
    "MI": rule("Mich. Comp. Laws § 445.111 ff. (Home Solicitation Sales Act)", "09:00-21:00"),
    "MN": rule("Minn. Stat. § 325E.27", "09:00-21:00"),
    "MS": rule("Miss. Code Ann. § 77-3-701 ff. (Telephone Solicitation Act)", "08:00-20:00", sunday=None),
    "NM": rule("N.M. Stat. § 57-12-22", "09:00-21:00", sunday=None, holidays=True),
    "NV": rule("Nev. Rev. Stat. ch. 228 and ch. 599B", "09:00-20:00"),
    "OK": rule("Okla. Stat. tit. 15, § 775C.4 (Oklahoma Telephone Solicitation Act)", "08:00-20:00", cap=3),
    "PA": rule("73 Pa. Stat. § 2245.2 (Telemarketer Registration Act)", "08:00-21:00", sunday="13:30-21:00"),
    "RI": rule("R.I. Gen. Laws § 5-61-3.4", "09:00-18:00", saturday="10:00-17:00", sunday=None, holidays=True),
    "TX": rule("Tex. Bus. & Com. Code § 301.051", "09:00-21:00", sunday="12:00-21:00"),
    "UT": rule("Utah Code Ann. § 13-25a-103", "08:00-21:00", sunday=None, holidays=True),
    "WA": rule("Wash. Rev. Code § 80.36.390", "08:00-20:00"),
}
