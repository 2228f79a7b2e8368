"""The wired flow: normalize → detect → spans on the ORIGINAL text, failing closed."""

import pytest

from veil.config import CustomPattern, DenyList, DetectionSettings
from veil.core import CustomEntity, EntityType, Finding, Span
from veil.errors import DetectionError, InputTooLargeError
from veil.pipeline import Analyzer
from veil.testing import canary_card, canary_email, canary_iban


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.from_settings()


def labels(analyzer: Analyzer, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in analyzer.analyze(text):
        out.setdefault(f.label, []).append(text[f.start : f.end])
    return out


def test_a_customer_message(analyzer: Analyzer) -> None:
    email, card, iban = canary_email(), canary_card(), canary_iban()
    text = (
        f"Hi, this is Maria Gonzalez. My card {card} was charged twice, please refund to "
        f"{iban}. You can reach me at {email} or +44 20 7946 0958."
    )
    found = labels(analyzer, text)
    assert found["PERSON"] == ["Maria Gonzalez"]
    assert found["CREDIT_CARD"] == [card]
    assert found["IBAN"] == [iban]
    assert found["EMAIL"] == [email]
    assert found["PHONE"] == ["+44 20 7946 0958"]


def test_spans_cover_original_characters_through_obfuscation(analyzer: Analyzer) -> None:
    # Zero-width characters inside an email and fullwidth digits in a card number.
    text = "mail j\u200bane.doe@exa\u200bmple.org card ４１１１ １１１１ １１１１ １１１１ ok"
    found = labels(analyzer, text)
    assert found["EMAIL"] == ["j\u200bane.doe@exa\u200bmple.org"]
    assert found["CREDIT_CARD"] == ["４１１１ １１１１ １１１１ １１１１"]


def test_homoglyph_email_is_found(analyzer: Analyzer) -> None:
    text = "write to jаne@exаmple.com"  # Cyrillic 'а'
    assert labels(analyzer, text)["EMAIL"] == ["jаne@exаmple.com"]


def test_not_personal_data(analyzer: Analyzer) -> None:
    text = (
        "Order 123456789 shipped in version 4.2.1; take 500 mg twice daily, diagnosis E11.9, "
        "room 12B, total $1,299.00, the card ending in 4242 was declined at 10:45."
    )
    assert analyzer.analyze(text) == []


def test_entity_filter_keeps_custom_types() -> None:
    settings = DetectionSettings(
        entities=frozenset({EntityType.EMAIL}),
        custom=(CustomPattern("emp", CustomEntity("EMPLOYEE_ID"), r"EMP-\d{6}"),),
        deny=(DenyList("staff", EntityType.PERSON, ("Dr Quill",)),),
    )
    found = labels(Analyzer.from_settings(settings), "EMP-123456 mailed x@example.org, Dr Quill")
    assert set(found) == {"EMAIL", "EMPLOYEE_ID"}


def test_allow_list(analyzer: Analyzer) -> None:
    settings = DetectionSettings(allow=("help@clinic.example",))
    found = labels(Analyzer.from_settings(settings), "mail help@clinic.example or me@x.org")
    assert found["EMAIL"] == ["me@x.org"]


def test_too_large_is_refused() -> None:
    analyzer = Analyzer.from_settings(DetectionSettings(max_chars=100))
    with pytest.raises(InputTooLargeError):
        analyzer.analyze("x" * 101)


def test_detector_failure_fails_closed() -> None:
    class Exploding:
        name = "exploding"

        def find(self, text: str) -> list[object]:
            raise MemoryError

    from veil.detect.engine import DetectionEngine

    with pytest.raises(DetectionError):
        Analyzer(DetectionEngine([Exploding()])).analyze("text")  # type: ignore[list-item]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " " * 10,
        "1" * 100_000,
        "a" * 100_000,
        "A" * 100_000,
        "@" * 100_000,
        ". " * 50_000,
        "\u200b" * 100_000,
        "4" + " 4" * 50_000,
        "Mr " * 30_000,
        "\n" * 100_000,
    ],
    ids=lambda t: f"{t[:3]!r}x{len(t)}",
)
def test_hostile_input_completes(analyzer: Analyzer, text: str) -> None:
    for f in analyzer.analyze(text):
        assert 0 <= f.start < f.end <= len(text)


def test_one_megabyte_message(analyzer: Analyzer) -> None:
    email = canary_email()
    block = f"Hello, I am Jane Doe, mail {email}, call 212-555-0100. Order 55512. "
    text = block * (1_000_000 // len(block))
    found = analyzer.analyze(text)
    emails = [f for f in found if f.label == "EMAIL"]
    assert len(emails) == text.count(email)


class _Counting:
    """A detector that counts its calls and finds the word 'Zed'."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def find(self, text: str) -> list[Finding]:
        self.calls += 1
        at = text.find("Zed")
        if at < 0:
            return []
        return [Finding(EntityType.PERSON, Span(at, at + 3), 0.9, "counting", "test")]


def _counting(**kwargs: int) -> tuple[Analyzer, _Counting]:
    from veil.detect.engine import DetectionEngine

    detector = _Counting()
    return Analyzer(DetectionEngine([detector]), **kwargs), detector  # type: ignore[list-item]


def test_a_repeated_text_is_detected_once_with_the_same_result() -> None:
    analyzer, detector = _counting()
    first = analyzer.analyze("Hi, I am Zed.")
    again = analyzer.analyze("Hi, I am Zed.")
    assert again == first
    assert first[0].span == Span(9, 12)
    assert detector.calls == 1
    again.clear()  # a caller changing its list does not change the cache
    assert analyzer.analyze("Hi, I am Zed.") == first
    analyzer.analyze("Hi, I am Zed!")
    assert detector.calls == 2


def test_the_cache_is_bounded_holds_no_text_and_can_be_off() -> None:
    analyzer, detector = _counting(cache_entries=2)
    for text in ("one Zed", "two Zed", "three Zed", "one Zed"):
        analyzer.analyze(text)
    assert detector.calls == 4  # "one" was evicted by "three"
    cached = analyzer._cache
    assert len(cached) == 2
    assert all(isinstance(k, bytes) and len(k) == 16 for k in cached)
    assert not any(b"Zed" in k or b"one" in k for k in cached)
    off, counted = _counting(cache_entries=0)
    off.analyze("one Zed")
    off.analyze("one Zed")
    assert counted.calls == 2
    long, seen = _counting(cache_chars=5)
    long.analyze("a long Zed")
    long.analyze("a long Zed")
    assert seen.calls == 2  # past cache_chars: never cached


def test_a_failing_detection_is_not_cached() -> None:
    analyzer, detector = _counting()

    def boom(text: str) -> list[Finding]:
        detector.calls += 1
        raise RuntimeError

    original = detector.find
    detector.find = boom  # type: ignore[method-assign]
    with pytest.raises(DetectionError):
        analyzer.analyze("Zed")
    detector.find = original  # type: ignore[method-assign]
    assert analyzer.analyze("Zed")[0].label == "PERSON"


def test_lone_surrogates_can_be_cached() -> None:
    analyzer, _ = _counting()
    assert analyzer.analyze("Zed \ud800") == analyzer.analyze("Zed \ud800")
