"""Gateway settings: read once from the environment at the edge, frozen afterwards.

``VEIL_UPSTREAM_URL`` (an OpenAI-compatible base URL such as ``https://host/v1``) and
``VEIL_UPSTREAM_API_KEY`` choose a real upstream; without a URL the built-in offline
receptionist answers. The API key is a :class:`Secret` whose ``repr`` is masked.
``VEIL_POLICY`` names the policy file (default: the built-in one),
``VEIL_DEFAULT_PURPOSE`` the purpose of requests that name none, ``VEIL_RECIPIENT``
the policy recipient the upstream stands for. ``VEIL_AUTH=required`` makes every
traffic route need a bearer API key with the ``chat`` permission (``veil serve``
requires it whenever it listens beyond loopback). ``VEIL_RETENTION_SECONDS`` is the
interval of the background retention sweep (0 turns it off; then run
``veil retention run`` from a scheduler). ``VEIL_MAX_CONCURRENCY`` bounds the requests
worked on at once per process (each holds a worker thread while the upstream model
answers; more wait their turn). Storage and keys: ``deployment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from veil.config import Settings
from veil.errors import ConfigurationError
from veil.interfaces.deployment import Deployment, deployment

__all__ = ["GatewaySettings", "Secret", "gateway_settings"]


@dataclass(frozen=True, slots=True)
class Secret:
    """A credential that never shows itself in a repr, log line or traceback."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """Everything ``veil serve`` needs; the defaults run fully offline.

    Sizes: ``max_body_bytes`` bounds the raw request body (413 above it),
    ``max_messages`` the messages of one chat request. Upstream times are seconds;
    ``upstream_retries`` counts retries after the first attempt (connect failures,
    429 and 5xx answers only, and never once a stream has started).
    """

    veil: Settings = field(default_factory=Settings)
    deployment: Deployment = field(default_factory=Deployment)
    tenant: str = "default"
    upstream_url: str | None = None
    upstream_api_key: Secret | None = None
    upstream_timeout: float = 60.0
    connect_timeout: float = 5.0
    upstream_retries: int = 2
    max_body_bytes: int = 1_000_000
    max_messages: int = 2_048
    model: str = "veil-receptionist"
    policy_path: Path | None = None
    default_purpose: str = "ai_assistance"
    recipient: str | None = None
    policy_check_seconds: float = 5.0
    auth_required: bool = False
    retention_seconds: float = 3600.0
    max_concurrency: int = 256

    @property
    def recipient_name(self) -> str:
        """The policy recipient that receives what the upstream is sent: as
        configured, else ``assistant`` (built-in) or ``upstream`` (any URL)."""
        if self.recipient is not None:
            return self.recipient
        return "assistant" if self.upstream_url is None else "upstream"

    @property
    def data_dir(self) -> Path:
        return self.deployment.data_dir


def gateway_settings(
    environ: Mapping[str, str], *, veil: Settings | None = None, data_dir: Path = Path(".veil")
) -> GatewaySettings:
    """Build settings from ``environ`` (``VEIL_UPSTREAM_*``, ``VEIL_MAX_BODY_BYTES``)."""
    url = environ.get("VEIL_UPSTREAM_URL") or None
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigurationError("VEIL_UPSTREAM_URL must start with http:// or https://")
    key = environ.get("VEIL_UPSTREAM_API_KEY") or None
    return GatewaySettings(
        veil=veil if veil is not None else Settings(),
        deployment=deployment(environ, data_dir),
        upstream_url=url.rstrip("/") if url else None,
        upstream_api_key=Secret(key) if key else None,
        upstream_timeout=_positive(environ, "VEIL_UPSTREAM_TIMEOUT", 60.0),
        upstream_retries=int(_positive(environ, "VEIL_UPSTREAM_RETRIES", 2, allow_zero=True)),
        max_body_bytes=int(_positive(environ, "VEIL_MAX_BODY_BYTES", 1_000_000)),
        policy_path=Path(environ["VEIL_POLICY"]) if environ.get("VEIL_POLICY") else None,
        default_purpose=environ.get("VEIL_DEFAULT_PURPOSE") or "ai_assistance",
        recipient=environ.get("VEIL_RECIPIENT") or None,
        auth_required=_auth(environ),
        retention_seconds=_positive(environ, "VEIL_RETENTION_SECONDS", 3600.0, allow_zero=True),
        max_concurrency=int(_positive(environ, "VEIL_MAX_CONCURRENCY", 256)),
    )


def _auth(environ: Mapping[str, str]) -> bool:
    value = (environ.get("VEIL_AUTH") or "off").lower()
    if value not in ("off", "required"):
        raise ConfigurationError("VEIL_AUTH must be 'off' or 'required'")
    return value == "required"


def _positive(
    environ: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False
) -> float:
    raw = environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be positive")
    return value
