from __future__ import annotations

from pathlib import Path

import pytest

from veil.errors import ConfigurationError
from veil.interfaces.api.settings import gateway_settings


def test_defaults_are_offline() -> None:
    settings = gateway_settings({})
    assert settings.upstream_url is None
    assert settings.max_body_bytes == 1_000_000


def test_environment_and_masked_key() -> None:
    settings = gateway_settings(
        {
            "VEIL_UPSTREAM_URL": "http://h/v1/",
            "VEIL_UPSTREAM_API_KEY": "sk-secret",
            "VEIL_MAX_BODY_BYTES": "2048",
        },
        data_dir=Path("d"),
    )
    assert settings.upstream_url == "http://h/v1"
    assert settings.max_body_bytes == 2048
    assert "sk-secret" not in repr(settings)
    assert settings.upstream_api_key is not None
    assert settings.upstream_api_key.value == "sk-secret"


@pytest.mark.parametrize(
    "env",
    [
        {"VEIL_UPSTREAM_URL": "ftp://x"},
        {"VEIL_UPSTREAM_TIMEOUT": "soon"},
        {"VEIL_MAX_BODY_BYTES": "0"},
    ],
)
def test_bad_values(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        gateway_settings(env)
