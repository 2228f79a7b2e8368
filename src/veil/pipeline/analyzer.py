"""Detection wired: ``ingest.normalize`` → ``detect`` → spans on the ORIGINAL text."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import replace

from veil.config import DetectionSettings
from veil.core import EntityType, Finding
from veil.detect.address import AddressDetector
from veil.detect.base import Detector
from veil.detect.custom import DenyListDetector, RegexDetector
from veil.detect.date import DateDetector
from veil.detect.email import EmailDetector
from veil.detect.engine import DetectionEngine
from veil.detect.iban import IbanDetector
from veil.detect.location import LocationDetector
from veil.detect.medical import MedicalIdDetector
from veil.detect.national_id import NationalIdDetector
from veil.detect.network import IpAddressDetector, UrlDetector
from veil.detect.payment import BankAccountDetector, CreditCardDetector
from veil.detect.person import PersonDetector
from veil.detect.phone import PhoneDetector
from veil.detect.username import UsernameDetector
from veil.errors import InputTooLargeError
from veil.ingest.normalize import normalize

__all__ = ["Analyzer", "default_detectors"]


def default_detectors(settings: DetectionSettings) -> tuple[Detector, ...]:
    """Every built-in detector plus the configured custom ones."""
    from veil.detect.identity_document import DriverLicenseDetector, PassportDetector

    builtin: tuple[Detector, ...] = (
        EmailDetector(),
        # Phone findings under the engine's threshold may be left out (cheaper).
        PhoneDetector(regions=settings.phone_regions, min_score=settings.threshold),
        IpAddressDetector(),
        UrlDetector(),
        UsernameDetector(),
        DateDetector(time_expressions=settings.time_expressions),
        CreditCardDetector(),
        BankAccountDetector(),
        IbanDetector(),
        NationalIdDetector(),
        DriverLicenseDetector(),
        PassportDetector(),
        MedicalIdDetector(),
        AddressDetector(),
        LocationDetector(),
        PersonDetector(),
    )
    custom = tuple(
        RegexDetector(
            c.name,
            c.entity,
            c.pattern,
            score=c.score,
            context=c.context,
            score_without_context=c.score_without_context,
            case_sensitive=c.case_sensitive,
        )
        for c in settings.custom
    )
    deny = tuple(
        DenyListDetector(d.name, d.entity, d.terms, score=d.score, case_sensitive=d.case_sensitive)
        for d in settings.deny
    )
    return builtin + custom + deny


class Analyzer:
    """Finds personal data in raw text; spans index into the ORIGINAL text.

    Construct it once (``Analyzer.from_settings``) and reuse it: detectors load their
    data lazily on first use, so the first call is the slow one.

    Results are remembered for the last ``cache_entries`` texts of up to
    ``cache_chars`` characters: chat clients resend the whole history with every
    request, and detection is deterministic, so an earlier message costs a lookup
    instead of a second detection. The cache holds no text: entries are keyed by a
    BLAKE2b MAC of the text under a random per-process key (so a memory dump cannot
    be used to confirm guessed texts) and hold only spans, types and scores.
    ``cache_entries=0`` turns it off. Thread-safe.
    """

    def __init__(
        self,
        engine: DetectionEngine,
        *,
        entities: frozenset[str] = frozenset(),
        max_chars: int = 2_000_000,
        cache_entries: int = 4096,
        cache_chars: int = 16_384,
    ) -> None:
        if cache_entries < 0 or cache_chars < 0:
            raise ValueError("cache sizes must not be negative")
        self._engine = engine
        self._entities = entities
        self._max_chars = max_chars
        self._cache_entries, self._cache_chars = cache_entries, cache_chars
        self._cache: OrderedDict[bytes, tuple[Finding, ...]] = OrderedDict()
        self._cache_key = secrets.token_bytes(32)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: DetectionSettings | None = None, *, cache_entries: int = 4096
    ) -> Analyzer:
        """The built-in and configured detectors; ``cache_entries=0`` measures or
        runs every call afresh (see the class docstring)."""
        settings = settings or DetectionSettings()
        engine = DetectionEngine(
            default_detectors(settings), threshold=settings.threshold, allow=settings.allow
        )
        return cls(
            engine,
            entities=frozenset(e.value for e in settings.entities),
            max_chars=settings.max_chars,
            cache_entries=cache_entries,
        )

    @property
    def engine(self) -> DetectionEngine:
        return self._engine

    def analyze(self, text: str) -> list[Finding]:
        """Return sorted, non-overlapping findings over ``text``.

        Raises :class:`~veil.errors.InputTooLargeError` past ``max_chars`` and
        :class:`~veil.errors.DetectionError` if any detector fails (fail closed).
        """
        if len(text) > self._max_chars:
            raise InputTooLargeError(len(text), self._max_chars)
        if not self._cache_entries or len(text) > self._cache_chars:
            return self._analyze(text)
        key = hashlib.blake2b(
            text.encode("utf-8", "surrogatepass"), key=self._cache_key, digest_size=16
        ).digest()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return list(hit)
        findings = self._analyze(text)
        with self._lock:
            self._cache[key] = tuple(findings)
            while len(self._cache) > self._cache_entries:
                self._cache.popitem(last=False)
        return findings

    def _analyze(self, text: str) -> list[Finding]:
        normalized = normalize(text)
        findings = self._engine.find(normalized.text)
        if self._entities:
            findings = [
                f
                for f in findings
                if not isinstance(f.entity, EntityType) or f.label in self._entities
            ]
        if not normalized.changed:
            return findings
        return [replace(f, span=normalized.to_original(f.span)) for f in findings]

    def warm_up(self) -> None:
        """Load every detector's data now instead of on the first message.

        Detectors may offer an optional ``warm_up()`` for work a sample text does not
        reach (e.g. compiling every configured phone region's patterns).
        """
        self.analyze("Warm-up: Jane Doe, 1 Main Street, jane@example.com, +1 212 555 0100.")
        for detector in self._engine.detectors:
            warm = getattr(detector, "warm_up", None)
            if callable(warm):
                warm()
