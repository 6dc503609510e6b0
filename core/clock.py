from datetime import UTC, datetime


def now() -> datetime:
    """The one clock the domain reads, so tests can freeze it."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Stored datetimes are always UTC-aware: SQLite compares them as text, so one offset for all. A naive value
    is taken as UTC (that is how the database hands them back)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
