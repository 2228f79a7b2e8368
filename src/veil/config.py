"""Frozen settings, loaded once at the edge.

Only ``veil.interfaces`` calls :func:`load_settings`; everything below receives typed
settings objects. Nothing here reads the environment at import time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veil.core import CustomEntity, Entity, EntityType, parse_entity
from veil.errors import ConfigurationError, UnknownEntityError

__all__ = [
    "CustomPattern",
    "DenyList",
    "DetectionSettings",
    "Settings",
    "load_settings",
    "parse_settings",
]

DEFAULT_PHONE_REGIONS = (
    "US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "AU", "CA", "IE", "BR", "MX", "PL", "TR",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CustomPattern:
    """A custom regular-expression detector (RE2 syntax)."""

    name: str
    entity: Entity
    pattern: str
    score: float = 0.85
    context: tuple[str, ...] = ()
    score_without_context: float = 0.0
    case_sensitive: bool = True


@dataclass(frozen=True, slots=True)
class DenyList:
    """Terms that are always personal data of ``entity`` (e.g. staff names)."""

    name: str
    entity: Entity
    terms: tuple[str, ...]
    score: float = 0.95
    case_sensitive: bool = False


@dataclass(frozen=True, slots=True)
class DetectionSettings:
    """How text is analyzed. ``entities`` empty means every built-in type."""

    threshold: float = 0.5
    entities: frozenset[EntityType] = frozenset()
    allow: tuple[str, ...] = ()
    phone_regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS
    max_chars: int = 2_000_000
    custom: tuple[CustomPattern, ...] = ()
    deny: tuple[DenyList, ...] = ()
    time_expressions: bool = True
    """Bare years and weekdays used as times ("in 1977", "on Tuesday") are DATEs."""


@dataclass(frozen=True, slots=True)
class Settings:
    detection: DetectionSettings = field(default_factory=DetectionSettings)


def load_settings(environ: Mapping[str, str], path: Path | None = None) -> Settings:
    """Read settings from a TOML file (``path`` or ``$VEIL_CONFIG``), else defaults."""
    source = path or (Path(environ["VEIL_CONFIG"]) if environ.get("VEIL_CONFIG") else None)
    if source is None:
        return Settings()
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read configuration file {source}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{source}: {exc}") from exc
    return parse_settings(raw, origin=str(source))


def parse_settings(raw: Mapping[str, Any], *, origin: str = "<settings>") -> Settings:
    """Validate a decoded configuration mapping; errors name the offending key."""
    unknown = set(raw) - {"detection"}
    if unknown:
        raise ConfigurationError(f"{origin}: unknown section(s) {sorted(unknown)}")
    det = dict(raw.get("detection", {}))
    where = f"{origin}: [detection]"
    try:
        settings = DetectionSettings(
            threshold=_number(det.pop("threshold", 0.5), f"{where} threshold"),
            entities=frozenset(parse_entity(e) for e in _strings(det.pop("entities", []), where)),
            allow=tuple(_strings(det.pop("allow", []), f"{where} allow")),
            phone_regions=tuple(
                r.upper() for r in _strings(det.pop("phone_regions", DEFAULT_PHONE_REGIONS), where)
            ),
            max_chars=int(det.pop("max_chars", 2_000_000)),
            custom=tuple(
                _custom(c, f"{where} custom[{i}]") for i, c in enumerate(det.pop("custom", []))
            ),
            deny=tuple(_deny(d, f"{where} deny[{i}]") for i, d in enumerate(det.pop("deny", []))),
            time_expressions=_flag(det.pop("time_expressions", True), f"{where} time_expressions"),
        )
    except UnknownEntityError as exc:
        raise ConfigurationError(f"{where}: {exc}") from exc
    if det:
        raise ConfigurationError(f"{where}: unknown key(s) {sorted(det)}")
    if not 0.0 <= settings.threshold <= 1.0:
        raise ConfigurationError(f"{where} threshold must be within [0, 1]")
    return Settings(detection=settings)


def _entity(name: object, where: str) -> Entity:
    if not isinstance(name, str):
        raise ConfigurationError(f"{where}: entity must be a string")
    try:
        return parse_entity(name)
    except UnknownEntityError:
        return CustomEntity(name)


def _custom(raw: object, where: str) -> CustomPattern:
    table = _table(raw, where, required={"name", "entity", "pattern"})
    return CustomPattern(
        name=str(table["name"]),
        entity=_entity(table["entity"], where),
        pattern=str(table["pattern"]),
        score=_number(table.get("score", 0.85), f"{where} score"),
        context=tuple(_strings(table.get("context", []), where)),
        score_without_context=_number(table.get("score_without_context", 0.0), where),
        case_sensitive=bool(table.get("case_sensitive", True)),
    )


def _deny(raw: object, where: str) -> DenyList:
    table = _table(raw, where, required={"name", "entity", "terms"})
    return DenyList(
        name=str(table["name"]),
        entity=_entity(table["entity"], where),
        terms=tuple(_strings(table["terms"], where)),
        score=_number(table.get("score", 0.95), f"{where} score"),
        case_sensitive=bool(table.get("case_sensitive", False)),
    )


def _table(raw: object, where: str, *, required: set[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigurationError(f"{where}: expected a table")
    missing = required - set(raw)
    if missing:
        raise ConfigurationError(f"{where}: missing key(s) {sorted(missing)}")
    return raw


def _strings(raw: object, where: str) -> list[str]:
    if not isinstance(raw, list | tuple) or not all(isinstance(s, str) for s in raw):
        raise ConfigurationError(f"{where}: expected a list of strings")
    return list(raw)


def _flag(raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise ConfigurationError(f"{where}: expected true or false")
    return raw


def _number(raw: object, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ConfigurationError(f"{where}: expected a number")
    if not 0.0 <= float(raw) <= 1.0:
        raise ConfigurationError(f"{where}: must be within [0, 1]")
    return float(raw)
