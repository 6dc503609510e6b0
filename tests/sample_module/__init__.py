"""A module declared in the tests, using every extension point of core.modules (tests/core/test_modules.py)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.modules import MenuEntry, Module, NavEntry, Scope, Widget


class SampleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: str = "pong"
    repeat: int = Field(default=1, ge=1, le=5)


MODULE = Module(
    name="sample",
    actions={"sample.ping": False},
    routers=("tests.sample_module.flows:build_router",),
    menu=(
        MenuEntry("ping", "sample.ping", "tests.sample_module.flows:open_ping", order=15),
        MenuEntry("pings", "sample.ping", "tests.sample_module.flows:open_pings", order=16, menu=False),
    ),
    panel_routes=("tests.sample_module.web:add_routes",),
    nav=(NavEntry("sample", "/sample", "sample.ping", order=50),),
    widgets=(Widget("sample_pings", "sample.ping", "tests.sample_module.web:pings_widget", order=5),),
    sweeps=("tests.sample_module.sweep:count_sweep",),
    scopes=(Scope("sample_letter", "tests.sample_module.sweep:cards_titled_s"),),
    settings=SampleSettings,
    locales=str(Path(__file__).resolve().parent / "locales"),
)
