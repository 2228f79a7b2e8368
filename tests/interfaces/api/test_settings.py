from __future__ import annotations

from pathlib import Path

import pytest

from veil.errors import ConfigurationError
from veil.interfaces.api.settings import gateway_settings


def test_defaults_are_offline() -> None:
    settings = gateway_settings({})
    assert settings.upstream_url is None
    assert settings.max_body_bytes == 1_000_000
    assert settings.max_concurrency == 256
    assert gateway_settings({"VEIL_MAX_CONCURRENCY": "12"}).max_concurrency == 12


def test_the_worker_thread_pool_follows_max_concurrency(tmp_path: Path) -> None:
    """anyio's default of 40 threads would cap the gateway at 40 chats in flight."""
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from veil.interfaces.api import create_app

    settings = gateway_settings({"VEIL_MAX_CONCURRENCY": "77"}, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        tokens = client.portal.call(
            lambda: anyio.to_thread.current_default_thread_limiter().total_tokens
        )
        assert tokens == 77


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
        {"VEIL_MAX_CONCURRENCY": "0"},
    ],
)
def test_bad_values(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        gateway_settings(env)
