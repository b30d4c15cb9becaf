"""Test-wide settings: hypothesis profiles (``quick`` in ``make test``, ``long`` on demand)."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "quick", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
