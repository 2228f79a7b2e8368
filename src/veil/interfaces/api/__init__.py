"""The OpenAI-compatible privacy proxy behind ``veil serve``.

``create_app(settings, veil=None, upstream=None, *, analyzer=None, hash_key=None)``
builds the FastAPI application: ``POST /v1/chat/completions`` (stream and
non-stream), ``GET /v1/models``, ``POST /v1/detect``, ``/v1/protect``, ``/v1/restore``,
Presidio-compatible ``POST /analyze`` and ``/anonymize``, ``/healthz``, ``/readyz`` and
``/metrics``. Every field that can carry personal data
is protected before the upstream sees it and restored in the reply; any failure is
a generic error answer and nothing unprotected is forwarded.

This package must never log, label or answer with request text.
"""

from veil.interfaces.api.app import Gateway as Gateway
from veil.interfaces.api.app import create_app as create_app
from veil.interfaces.api.assistant import Receptionist as Receptionist
from veil.interfaces.api.settings import GatewaySettings as GatewaySettings
from veil.interfaces.api.settings import gateway_settings as gateway_settings
from veil.interfaces.api.upstream import HttpUpstream as HttpUpstream
from veil.interfaces.api.upstream import Upstream as Upstream
from veil.interfaces.api.upstream import UpstreamError as UpstreamError

__all__ = [
    "Gateway",
    "GatewaySettings",
    "HttpUpstream",
    "Receptionist",
    "Upstream",
    "UpstreamError",
    "create_app",
    "gateway_settings",
]
