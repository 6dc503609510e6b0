from datetime import UTC, datetime, tzinfo


def now() -> datetime:
    """The one clock the domain reads, so tests can freeze it."""
    return datetime.now(UTC)


def as_utc(value: datetime, zone: tzinfo = UTC) -> datetime:
    """Stored datetimes are always UTC-aware: SQLite compares them as text, so one offset for all. A naive value
    is a wall-clock time in `zone`: UTC by default (that is how the database hands them back); the business's zone
    for a time a person typed.

    A wall-clock time the spring change skips (03:30 in Kyiv on the last Sunday of March) is read with the offset
    before the change, so it lands an hour later (04:30); one the autumn change repeats is its first occurrence
    (still summer time)."""
    return value.replace(tzinfo=zone).astimezone(UTC) if value.tzinfo is None else value.astimezone(UTC)
