"""Signs the payload live: on every edit, the token, its decoded form and the findings."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from workbench.gui.model import PayloadModel
from workbench.sso import DecodedToken, Finding, ValidationContext, decode, prepare_claims, sign
from workbench.sso.rules import ProfileField, validate_payload
from workbench.sso.tokens import SigningError


@dataclass(slots=True)
class TokenState:
    claims: dict[str, Any]
    token: str | None
    decoded: DecodedToken | None
    findings: list[Finding] = field(default_factory=list)
    problem: str | None = None  # why there is no token (no key, cannot sign)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)


@dataclass(slots=True)
class Community:
    """What the validator knows of the target community (the emulator's, when local)."""

    space_ids: frozenset[str] | None = None
    profile_fields: tuple[ProfileField, ...] | None = None
    leeway: float = 10
    clock_offset: float = 0.0  # the community's virtual clock, in seconds


class TokenController(QObject):
    updated = Signal(object)  # TokenState

    def __init__(self, model: PayloadModel, key_provider: Callable[[], str | None]) -> None:
        super().__init__()
        self.model = model
        self.key_provider = key_provider
        self.ttl: int | None = 60
        self.community = Community()
        self.state = TokenState({}, None, None)
        # A fresh dict on every edit, never mutated: safe to read from the emulator's thread.
        self.payload_snapshot: Mapping[str, Any] = model.view()
        model.changed.connect(self.refresh)

    def set_ttl(self, ttl: int | None) -> None:
        self.ttl = ttl
        self.refresh()

    def set_community(self, community: Community) -> None:
        self.community = community
        self.refresh()

    def context(self) -> ValidationContext:
        return ValidationContext(
            now=time.time() + self.community.clock_offset,
            leeway=self.community.leeway,
            space_ids=self.community.space_ids,
            profile_fields=self.community.profile_fields,
        )

    def refresh(self, *_: object) -> TokenState:
        self.payload_snapshot = self.model.view()
        claims = prepare_claims(self.payload_snapshot, ttl=self.ttl)
        key = self.key_provider()
        ctx = self.context()
        if key is None:
            findings = validate_payload(claims, ctx)
            self.state = TokenState(claims, None, None, findings, "no key: set or generate one")
        else:
            try:
                token = sign(claims, key)
            except SigningError as exc:
                findings = validate_payload(claims, ctx)
                self.state = TokenState(claims, None, None, findings, str(exc))
            else:
                decoded = decode(token, key, ctx)
                self.state = TokenState(claims, token, decoded, decoded.findings)
        self.updated.emit(self.state)
        return self.state
