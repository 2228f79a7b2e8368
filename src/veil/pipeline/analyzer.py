"""Detection wired: ``ingest.normalize`` → ``detect`` → spans on the ORIGINAL text."""

from __future__ import annotations

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
        PhoneDetector(regions=settings.phone_regions),
        IpAddressDetector(),
        UrlDetector(),
        UsernameDetector(),
        DateDetector(),
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
    """

    def __init__(
        self,
        engine: DetectionEngine,
        *,
        entities: frozenset[str] = frozenset(),
        max_chars: int = 2_000_000,
    ) -> None:
        self._engine = engine
        self._entities = entities
        self._max_chars = max_chars

    @classmethod
    def from_settings(cls, settings: DetectionSettings | None = None) -> Analyzer:
        settings = settings or DetectionSettings()
        engine = DetectionEngine(
            default_detectors(settings), threshold=settings.threshold, allow=settings.allow
        )
        return cls(
            engine,
            entities=frozenset(e.value for e in settings.entities),
            max_chars=settings.max_chars,
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
