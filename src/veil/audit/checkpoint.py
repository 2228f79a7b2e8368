"""Signed checkpoints of the audit trail: ``(seq, hash, at)`` under Ed25519.

A checkpoint pins the trail's head at one moment. Kept outside the application
database — exported as a JSON file and stored in the erasure ledger — it catches what
the chain alone cannot: an application database rolled back to an older (internally
consistent) copy, or its tail cut off together with a replayed older head. The
verifier compares the row at ``seq`` with ``hash``; a trail whose head is below a
checkpoint's ``seq`` has lost rows.

The signed bytes are a length-prefixed encoding of a version tag, ``seq``, ``hash``
and ``at`` (UTC, microseconds), so no two checkpoints share a signed payload.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from veil.audit.chain import at_text, field
from veil.audit.rows import as_utc
from veil.errors import AuditError
from veil.storage.audit import LedgerCheckpoint
from veil.vault.signing import CheckpointSigner, verify_signature

__all__ = ["Checkpoint", "read_checkpoint", "sign_checkpoint", "write_checkpoint"]

_TAG = "veil.audit.checkpoint.v1"
_FORMAT = 1


def _payload(seq: int, hash_: str, at: datetime) -> bytes:
    return "".join(field(v) for v in (_TAG, str(seq), hash_, at_text(at))).encode()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The head ``(seq, hash)`` at time ``at``, signed by ``public_key``'s owner."""

    seq: int
    hash: str
    at: datetime
    public_key: bytes
    signature: bytes

    def payload(self) -> bytes:
        """The exact bytes that were signed."""
        return _payload(self.seq, self.hash, self.at)

    def signature_valid(self, public_key: bytes | None = None) -> bool:
        """True iff the signature verifies under ``public_key`` (the trusted key) and
        the checkpoint names that key; without one, under the key it carries (which
        proves integrity, not origin)."""
        key = self.public_key if public_key is None else public_key
        if key != self.public_key:
            return False
        return verify_signature(key, self.payload(), self.signature)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "seq": self.seq,
            "hash": self.hash,
            "at": at_text(self.at),
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=1)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        """Parse a checkpoint document; AuditError if it is malformed (the signature
        is checked by the verifier, not here)."""
        try:
            doc = json.loads(text)
            if doc["format"] != _FORMAT:
                raise AuditError("checkpoint has an unknown format")
            seq, hash_ = doc["seq"], doc["hash"]
            if type(seq) is not int or seq < 0 or not isinstance(hash_, str):
                raise AuditError("checkpoint is malformed")
            return cls(
                seq=seq,
                hash=hash_,
                at=as_utc(datetime.fromisoformat(doc["at"])),
                public_key=base64.b64decode(doc["public_key"], validate=True),
                signature=base64.b64decode(doc["signature"], validate=True),
            )
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise AuditError("checkpoint is malformed") from None

    def to_ledger(self) -> LedgerCheckpoint:
        return LedgerCheckpoint(self.seq, self.hash, self.at, self.public_key, self.signature)

    @classmethod
    def from_ledger(cls, row: LedgerCheckpoint) -> Checkpoint:
        return cls(row.seq, row.hash, as_utc(row.at), row.public_key, row.signature)


def sign_checkpoint(signer: CheckpointSigner, seq: int, hash_: str, at: datetime) -> Checkpoint:
    """Sign the head ``(seq, hash)`` as of ``at`` (timezone-aware)."""
    at = as_utc(at) if at.tzinfo is not None else at
    payload = _payload(seq, hash_, at)  # refuses a naive ``at``
    return Checkpoint(seq, hash_, at, signer.public_key_bytes(), signer.sign(payload))


def write_checkpoint(checkpoint: Checkpoint, path: str | Path) -> None:
    """Write the checkpoint as JSON (public data: no secret in it)."""
    try:
        Path(path).write_text(checkpoint.to_json() + "\n", encoding="utf-8")
    except OSError as exc:
        raise AuditError(f"cannot write checkpoint {path}: {exc.strerror}") from None


def read_checkpoint(path: str | Path) -> Checkpoint:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise AuditError(f"cannot read checkpoint {path}") from None
    return Checkpoint.from_json(text)
