"""Load and check the policy file; keep the current policy for a running server.

:func:`parse_policy` decodes the TOML with :mod:`tomllib`, then checks every section
and cross-reference (unknown category, purpose or recipient; a category claimed twice;
duplicate names; bad durations; missing keys or legal basis; a consent-based purpose
without a notice version; a category a purpose uses without retention) and raises ONE
:class:`~veil.errors.ConfigurationError` listing every problem as
``"<file> line <n>: <problem>"``, sorted by line. tomllib reports no positions for a
valid document, so :mod:`veil.policy.sourcemap` maps key paths to lines. Messages
quote the policy's own names, never a legal hold's subject ids.

:class:`PolicyHolder` swaps a reloaded policy in atomically; a bad file raises and
leaves the previous policy in force.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from veil.core import EntityType, parse_entity
from veil.errors import ConfigurationError, UnknownEntityError
from veil.policy.document import (
    Category,
    Controller,
    Duration,
    LegalBasis,
    LegalHold,
    Policy,
    Purpose,
    Recipient,
    RecipientKind,
    RetentionRule,
    Section,
    Transparency,
)
from veil.policy.sourcemap import VERSION, KeyPath, Reader, decode

__all__ = ["PolicyHolder", "default_policy", "load_policy", "parse_policy"]


class _Build:
    """Builds each section; names declared anywhere count as known, so one broken entry
    is reported once rather than again at every reference to it."""

    def __init__(self, r: Reader, raw: dict[str, Any]) -> None:
        self.r, self.raw = r, raw
        self.known: dict[str, dict[str, Any]] = {
            s: raw[s] if isinstance(raw.get(s), dict) else {} for s in ("categories", "purposes")
        }
        self.uses: dict[tuple[str, str], KeyPath] = {}  # (purpose, category) → where

    def categories(self) -> dict[str, Category]:
        out, owner = {}, dict[EntityType, str]()
        for name, path, body in self.r.named(self.raw.get("categories"), "categories", "category"):
            what = f"category '{name}'"
            t = self.r.table(body, path, what, ("description",), ("entities", "transcript"))
            if t is None:
                continue
            transcript, entities = self.r.flag(t, "transcript", path, what), set[EntityType]()
            for where, item in self.r.texts(t, "entities", path, what):
                try:
                    entity = parse_entity(item)
                except UnknownEntityError:
                    self.r.fail(where, f"{what} names unknown entity type '{item}'")
                    continue
                if owner.setdefault(entity, name) != name:
                    self.r.fail(
                        where,
                        f"entity type {entity} is in both category '{owner[entity]}' and {what}",
                    )
                entities.add(entity)
            if transcript and t.get("entities"):
                self.r.fail((*path, "entities"), f"transcript {what} may not list entity types")
            elif not transcript and not t.get("entities"):
                self.r.fail(path, f"{what} lists no entity types (or set transcript = true)")
            description = self.r.text(t, "description", path, what) or ""
            out[name] = Category(name, description, frozenset(entities), transcript)
        return out

    def purposes(self) -> dict[str, Purpose]:
        out = {}
        required, optional = (
            ("description", "legal_basis", "categories"),
            ("data_subjects", "notice_version", "accepted_notices"),
        )
        for name, path, body in self.r.named(self.raw.get("purposes"), "purposes", "purpose"):
            what = f"purpose '{name}'"
            t = self.r.table(body, path, what, required, optional)
            if t is None:
                continue
            basis, text = None, self.r.text(t, "legal_basis", path, what)
            if text is not None:
                try:
                    basis = LegalBasis(text)
                except ValueError:
                    choices = ", ".join(LegalBasis)
                    self.r.fail(
                        (*path, "legal_basis"),
                        f"{what} has unknown legal basis '{text}' (one of {choices})",
                    )
            categories = self.r.refs(
                t, "categories", path, what, self.known["categories"], "category"
            )
            if t.get("categories") == []:
                self.r.fail((*path, "categories"), f"{what} lists no categories")
            for where, category in categories:
                self.uses[(name, category)] = where
            notice = self.r.text(t, "notice_version", path, what, VERSION)
            accepted = [v for _, v in self.r.texts(t, "accepted_notices", path, what)]
            if basis is LegalBasis.CONSENT and "notice_version" not in t:
                self.r.fail(path, f"{what} rests on consent but declares no notice_version")
            if accepted and "notice_version" not in t:
                self.r.fail(
                    (*path, "accepted_notices"),
                    f"{what} lists accepted_notices but no notice_version",
                )
            subjects = tuple(v for _, v in self.r.texts(t, "data_subjects", path, what)) or (
                "customers",
            )
            description = self.r.text(t, "description", path, what) or ""
            if basis is not None:
                cats = tuple(c for _, c in categories)
                out[name] = Purpose(
                    name, description, basis, cats, subjects, notice, frozenset(accepted)
                )
        return out

    def recipients(self) -> dict[str, Recipient]:
        out = {}
        required, optional = (
            ("description", "kind", "purposes", "categories"),
            ("country", "transfer"),
        )
        for name, path, body in self.r.named(self.raw.get("recipients"), "recipients", "recipient"):
            what = f"recipient '{name}'"
            t = self.r.table(body, path, what, required, optional)
            if t is None:
                continue
            kind, text = None, self.r.text(t, "kind", path, what)
            if text is not None:
                try:
                    kind = RecipientKind(text)
                except ValueError:
                    choices = ", ".join(RecipientKind)
                    self.r.fail(
                        (*path, "kind"), f"{what} has unknown kind '{text}' (one of {choices})"
                    )
            purposes = self.r.refs(t, "purposes", path, what, self.known["purposes"], "purpose")
            categories = self.r.refs(
                t, "categories", path, what, self.known["categories"], "category"
            )
            description = self.r.text(t, "description", path, what) or ""
            country, transfer = (
                self.r.text(t, "country", path, what),
                self.r.text(t, "transfer", path, what),
            )
            if kind is not None:
                out[name] = Recipient(
                    name,
                    description,
                    kind,
                    tuple(p for _, p in purposes),
                    tuple(c for _, c in categories),
                    country,
                    transfer,
                )
        return out

    def retention(self) -> tuple[RetentionRule, ...]:
        rules, first = [], dict[tuple[str, str | None], KeyPath]()
        for path, body in self.r.array(self.raw.get("retention"), "retention"):
            what = f"retention rule {path[1] + 1}"  # type: ignore[operator]
            t = self.r.table(body, path, what, ("category", "keep"), ("purpose",))
            if t is None:
                continue
            category = self.r.text(t, "category", path, what)
            purpose = self.r.text(t, "purpose", path, what)
            if category is not None and category not in self.known["categories"]:
                self.r.fail((*path, "category"), f"{what} names unknown category '{category}'")
            if purpose is not None and purpose not in self.known["purposes"]:
                self.r.fail((*path, "purpose"), f"{what} names unknown purpose '{purpose}'")
            elif (
                purpose is not None
                and category is not None
                and (purpose, category) not in self.uses
            ):
                self.r.fail(path, f"{what}: purpose '{purpose}' does not use category '{category}'")
            keep, text = None, self.r.text(t, "keep", path, what)
            if text is not None:
                try:
                    keep = Duration.parse(text)
                except ValueError as exc:
                    self.r.fail((*path, "keep"), f"{what} has bad duration '{text}': {exc}")
            if category is None:
                continue
            if (category, purpose) in first:
                scope = f"purpose '{purpose}'" if purpose else "any purpose"
                line = self.r.lines.get(first[(category, purpose)], 1)
                self.r.fail(
                    path,
                    f"retention for category '{category}' and {scope} is declared "
                    f"twice (first on line {line})",
                )
            first.setdefault((category, purpose), path)
            if keep is not None:
                rules.append(RetentionRule(category, purpose, keep))
        for (purpose, category), where in self.uses.items():
            if (category, purpose) not in first and (category, None) not in first:
                self.r.fail(
                    where,
                    f"purpose '{purpose}' uses category '{category}' but no retention rule "
                    "covers it",
                )
        return tuple(rules)

    def holds(self) -> tuple[LegalHold, ...]:
        holds, first = [], dict[str, KeyPath]()
        for path, body in self.r.array(self.raw.get("holds"), "holds"):
            what = f"legal hold {path[1] + 1}"  # type: ignore[operator]
            t = self.r.table(
                body, path, what, ("name", "tenant"), ("subjects", "categories", "reason")
            )
            if t is None:
                continue
            name = self.r.text(t, "name", path, what, VERSION)
            if name is not None and name in first:
                line = self.r.lines.get(first[name], 1)
                self.r.fail(path, f"legal hold '{name}' is declared twice (first on line {line})")
            tenant = self.r.text(t, "tenant", path, what)
            subjects = self.r.texts(t, "subjects", path, what, quote=False)  # ids: never quoted
            categories = self.r.refs(
                t, "categories", path, what, self.known["categories"], "category"
            )
            reason = self.r.text(t, "reason", path, what) or ""
            if name is not None and tenant is not None:
                first.setdefault(name, path)
                holds.append(
                    LegalHold(
                        name,
                        tenant,
                        frozenset(s for _, s in subjects),
                        frozenset(c for _, c in categories),
                        reason,
                    )
                )
        return tuple(holds)

    def controller(self) -> Controller:
        path, what = ("controller",), "controller"
        t = (
            self.r.table(
                self.raw.get("controller", {}),
                path,
                what,
                ("name", "contact"),
                ("dpo", "representative"),
            )
            or {}
        )
        return Controller(
            self.r.text(t, "name", path, what) or "",
            self.r.text(t, "contact", path, what) or "",
            self.r.text(t, "dpo", path, what),
            self.r.text(t, "representative", path, what),
        )

    def transparency(self) -> Transparency:
        path, what = ("transparency",), "transparency"
        optional = ("ai_can", "ai_cannot", "sections", "contact")
        t = (
            self.r.table(self.raw.get("transparency", {}), path, what, ("title", "intro"), optional)
            or {}
        )
        sections = []
        for where, body in self.r.array(t.get("sections"), "sections"):
            where = (*path, *where)
            heading = f"transparency section {where[2] + 1}"  # type: ignore[operator]
            s = self.r.table(body, where, heading, ("heading", "body")) or {}
            sections.append(
                Section(
                    self.r.text(s, "heading", where, heading) or "",
                    self.r.text(s, "body", where, heading) or "",
                )
            )
        return Transparency(
            title=self.r.text(t, "title", path, what) or "",
            intro=self.r.text(t, "intro", path, what) or "",
            ai_can=tuple(v for _, v in self.r.texts(t, "ai_can", path, what)),
            ai_cannot=tuple(v for _, v in self.r.texts(t, "ai_cannot", path, what)),
            sections=tuple(sections),
            contact=self.r.text(t, "contact", path, what) or "",
        )

    def policy(self, origin: str) -> Policy:
        required = (
            "version",
            "controller",
            "categories",
            "purposes",
            "recipients",
            "retention",
            "transparency",
        )
        self.r.table(self.raw, (), "the policy", required, ("holds",))
        return Policy(
            version=self.r.text(self.raw, "version", (), "the policy", VERSION) or "",
            controller=self.controller(),
            categories=self.categories(),
            purposes=self.purposes(),
            recipients=self.recipients(),
            retention=self.retention(),
            holds=self.holds(),
            transparency=self.transparency(),
            origin=origin,
        )


def parse_policy(text: str, *, origin: str = "policy.toml") -> Policy:
    """Decode and check a policy; ConfigurationError lists every problem by line."""
    raw, reader = decode(text, origin)
    policy = _Build(reader, raw).policy(origin)
    if reader.problems:
        raise ConfigurationError(reader.report())
    return policy


def load_policy(path: Path) -> Policy:
    """Read and check the policy file at ``path``."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read policy file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigurationError(f"{path} line {line}: policy file is not UTF-8") from None
    return parse_policy(text, origin=str(path))


@cache
def default_policy() -> Policy:
    """The policy shipped with veil (``veil/policy/default_policy.toml``): what
    ``veil serve`` uses with no configuration."""
    text = resources.files("veil.policy").joinpath("default_policy.toml").read_text("utf-8")
    return parse_policy(text, origin="default_policy.toml")


class PolicyHolder:
    """The policy in force, safe to read from any thread while it is reloaded.

    ``current`` is one attribute read (atomic); :meth:`reload` loads and checks the new
    file completely before swapping it in, under a lock so reloads never interleave. A
    bad file raises ConfigurationError, keeps the old policy and is kept in
    ``last_error``; ``on_load`` (e.g. an audit hook) runs before the swap, so if it
    raises the new policy is not used.
    """

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        source: Path | None = None,
        on_load: Callable[[Policy], None] | None = None,
    ) -> None:
        self._policy = (
            policy if policy is not None else (load_policy(source) if source else default_policy())
        )
        self.source = source
        self.last_error: str | None = None
        self._on_load = on_load
        self._lock = threading.Lock()

    @property
    def current(self) -> Policy:
        return self._policy

    def reload(self, path: Path | None = None) -> Policy:
        """Load ``path`` (default: the source given at construction) and swap it in."""
        source = path or self.source
        if source is None:
            raise ConfigurationError("no policy file to reload: the built-in policy is in use")
        with self._lock:
            try:
                policy = load_policy(source)
                if self._on_load is not None:
                    self._on_load(policy)
            except ConfigurationError as exc:
                self.last_error = str(exc)
                raise
            self._policy, self.source, self.last_error = policy, source, None
            return policy
