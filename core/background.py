"""Background work by name. Core and the conversations say *what* should run later (an import, its check); the
process's job layer (jobs.actors, set up by the composition root) says *how* — so neither imports the layer above
it. Inside an update's transaction the job is sent once that commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

IMPORT_RUN = "import_run"
IMPORT_CHECK = "import_check"

Submit = Callable[..., None]
_submit: Submit | None = None


def use(submit: Submit | None) -> None:
    global _submit
    _submit = submit


def submit(name: str, *args: Any) -> None:
    if _submit is None:
        raise RuntimeError(f"no job runner in this process for {name!r} (jobs.actors is not set up)")
    _submit(name, *args)
