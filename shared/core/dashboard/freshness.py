"""How old a value is, in words an operator reads at a glance."""

from datetime import datetime


def age_seconds(moment: datetime | None, now: datetime) -> float | None:
    """Seconds from ``moment`` to ``now`` (``None`` when unknown; never negative)."""
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def age_text(seconds: float | None) -> str:
    """``"42 s"``, ``"5 min"``, ``"3 h"``, ``"2 d"``; ``"unknown"`` for ``None``."""
    if seconds is None:
        return "unknown"
    for limit, unit, size in ((60, "s", 1), (3600, "min", 60), (86400, "h", 3600)):
        if seconds < limit:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds // 86400)} d"


def since_text(moment: datetime | None, now: datetime) -> str:
    """``age_text`` of the time since ``moment``, with "ago" when known."""
    seconds = age_seconds(moment, now)
    return "unknown" if seconds is None else f"{age_text(seconds)} ago"


__all__ = ["age_seconds", "age_text", "since_text"]
