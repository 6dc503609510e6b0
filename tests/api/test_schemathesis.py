"""Schemathesis against the served /api/v1/openapi.json: whatever a client sends — valid per the document or not —
the API never answers with a server error."""

from __future__ import annotations

import asyncio

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES_PER_MODE = 50


def fuzz(base_url: str, api_key: str, mode: GenerationMode) -> None:
    """Blocking (schemathesis calls with `requests`): run it in a thread while the event loop serves the app."""
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")

    @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=schema.as_strategy(generation_mode=mode))
    def no_server_error(case):
        case.call_and_validate(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"},
                               checks=[not_a_server_error])

    no_server_error()


async def test_valid_requests_never_get_a_server_error(api, api_key):
    await asyncio.to_thread(fuzz, str(api.make_url("")).rstrip("/"), api_key, GenerationMode.POSITIVE)


async def test_invalid_requests_never_get_a_server_error(api, api_key):
    await asyncio.to_thread(fuzz, str(api.make_url("")).rstrip("/"), api_key, GenerationMode.NEGATIVE)
