"""What a customer may read about the processing, without logging in.

``GET /v1/transparency`` answers the plain-language notice generated from the policy
in force (what is collected, why, who receives it, how long it is kept, what the AI
can and cannot do) as JSON; ``GET /privacy`` renders the same notice as an HTML page.
Both follow a policy reload at once: the notice is built from ``PolicyHolder.current``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, Response

from veil.policy import Policy, render_notice_html, transparency

__all__ = ["router"]

router = APIRouter()

# The page carries no script and loads nothing: a strict policy costs nothing.
_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
}


def _policy_of(request: Request) -> Policy:
    policy: Policy = request.app.state.gateway.purposes().policy.current
    return policy


@router.get("/v1/transparency", response_model=None)
async def notice(request: Request) -> Response:
    found = transparency(_policy_of(request))
    return JSONResponse(found.as_dict(), headers=_HEADERS)


@router.get("/privacy", response_model=None)
async def page(request: Request) -> Response:
    found = transparency(_policy_of(request))
    html = await run_in_threadpool(render_notice_html, found)
    return HTMLResponse(html, headers=_HEADERS)
