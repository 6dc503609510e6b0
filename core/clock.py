from datetime import UTC, datetime


def now() -> datetime:
    """The one clock the domain reads, so tests can freeze it."""
    return datetime.now(UTC)
