"""The server picks up a changed policy file safely, and keeps going when it is bad."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from veil.audit import Action
from veil.interfaces.api import GatewaySettings, HttpUpstream, create_app
from veil.interfaces.api.background import PolicyWatcher
from veil.pipeline import Veil
from veil.policy import PolicyHolder, default_policy

from .conftest import FakeUpstream, Served  # noqa: TID252


def _touch(path: Path, text: str, step: int) -> None:
    """Replace ``path`` atomically (as an operator's deploy would), with a modification
    time distinct from the last one however fast the writes: the watcher sees one change."""
    staged = path.with_suffix(".staged")
    staged.write_text(text, encoding="utf-8")
    stamp = time.time() + step
    os.utime(staged, (stamp, stamp))
    os.replace(staged, path)


def _policy(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "policy.toml"
    text = (Path(__file__).parents[3] / "src/veil/policy/default_policy.toml").read_text()
    path.write_text(text, encoding="utf-8")
    return path, text


def test_watcher_reloads_on_change_and_keeps_the_old_policy_when_bad(tmp_path: Path) -> None:
    path, text = _policy(tmp_path)
    holder = PolicyHolder(source=path)
    watcher = PolicyWatcher(holder)
    assert not watcher.check()  # unchanged
    _touch(path, text.replace('version = "2026.1"', 'version = "2026.2"'), 1)
    assert watcher.check()
    assert holder.current.version == "2026.2"
    _touch(path, text + "\n[purposes.broken\n", 2)
    assert not watcher.check()
    assert holder.current.version == "2026.2"
    assert holder.last_error is not None
    assert "line" in holder.last_error


def test_the_server_follows_the_file(
    tmp_path: Path, veil: Veil, fake_upstream: FakeUpstream
) -> None:
    path, text = _policy(tmp_path)
    settings = GatewaySettings(
        upstream_url=fake_upstream.url,
        upstream_retries=0,
        policy_path=path,
        policy_check_seconds=0.05,
    )
    served = Served(create_app(settings, veil, HttpUpstream(settings)))
    body = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}
    try:
        assert httpx.post(served.url + "/v1/chat/completions", json=body).status_code == 200
        # The operator stops sending conversations upstream for ai_assistance.
        closed = text.replace(
            'kind = "model_provider"\npurposes = ["ai_assistance"]',
            'kind = "model_provider"\npurposes = []',
        )
        assert closed != text
        _touch(path, closed, 1)
        deadline = time.monotonic() + 10
        status = 200
        while status == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            status = httpx.post(served.url + "/v1/chat/completions", json=body).status_code
        assert status == 403
    finally:
        served.close()
    assert veil.audit is not None
    loads = veil.audit.query(actions=[Action.POLICY_LOAD])
    assert [row.detail for row in loads] == [{"version": default_policy().version}]
