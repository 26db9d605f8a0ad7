"""How far a long piece of work has gone, in words for a progress page.

Pure functions of counts and seconds (no clock): the shell passes the elapsed
time. Wording follows the GOV.UK style guide (numerals with commas, "about",
no decimals)."""

from __future__ import annotations

import math


def seconds_left(done: int, total: int, elapsed_seconds: float) -> float | None:
    """Seconds still to go at the rate so far (``done`` items in
    ``elapsed_seconds``); None while nothing is done or no time has passed,
    0.0 when every item is done. Counts are non-negative integers."""
    if done >= total:
        return 0.0
    if done <= 0 or elapsed_seconds <= 0:
        return None
    return (total - done) * elapsed_seconds / done


def time_left_words(seconds: float | None) -> str:
    """ "about 4 minutes left", "less than a minute left", "about 2 hours 5
    minutes left"; "working out how long it will take" for None."""
    if seconds is None:
        return "working out how long it will take"
    if seconds < 60:
        return "less than a minute left"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"about {minutes} minute{'s' if minutes != 1 else ''} left"
    hours, rest = divmod(minutes, 60)
    words = f"{hours} hour{'s' if hours != 1 else ''}"
    if rest:
        words += f" {rest} minute{'s' if rest != 1 else ''}"
    return f"about {words} left"


def progress_words(done: int, total: int, noun: str = "families") -> str:
    """ "12,000 of 100,000 families"."""
    return f"{done:,} of {total:,} {noun}"


def percent(done: int, total: int) -> int:
    """Whole per cent done, 0 to 100 (100 for no work at all)."""
    if total <= 0:
        return 100
    return max(0, min(100, done * 100 // total))
