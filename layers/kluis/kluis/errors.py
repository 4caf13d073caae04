"""One hierarchy for every failure a user can see: a `Reason` (stable code + parameters) on an exception.

Codes and their English texts are in `kluis.reasons`. An exception class names its default code and
the HTTP status it maps to when it reaches the API (`kluis.api.errors`, by class, never by name);
classes whose failures come in several kinds (an archive can be rejected for 90 reasons) take the
code at the raise site, from the same catalogue.

Across Lambda and Step Functions an error travels as its class name (what the ASL's Retry and Catch
match on) and its message. The message of a `KluisError` is its reason as JSON, so the step that
records a failed job reads the code and parameters back (`Reason.from_lambda_cause`) instead of
matching names against a table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from kluis.reasons import MESSAGES, message


@dataclass(frozen=True)
class Reason:
    """What a user is told: a stable code, its parameters, and the English text made from them."""

    code: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise ValueError(f"unknown reason code {self.code!r}")
        message(self.code, self.params)  # every placeholder must have its parameter

    @property
    def message(self) -> str:
        return message(self.code, self.params)

    def as_dict(self) -> dict[str, Any]:
        """How the API and a job carry a reason: code, parameters and English text."""
        return {"reasonCode": self.code, "reasonParams": dict(self.params), "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason | None:
        """The reason in `data` (from `as_dict`), or None if it names no code of this version."""
        code, params = data.get("reasonCode"), data.get("reasonParams")
        if not isinstance(code, str) or code not in MESSAGES or not isinstance(params, dict):
            return None
        try:
            return cls(code, {str(k): v for k, v in params.items() if isinstance(v, str | int)})
        except (KeyError, ValueError, IndexError):
            return None

    @classmethod
    def from_lambda_cause(cls, cause: str | None) -> Reason | None:
        """The reason of a `KluisError` that failed a Lambda step (Step Functions' `Cause`), if any."""
        try:
            payload = json.loads(cause or "")
            document = json.loads(payload.get("errorMessage", ""))
        except (ValueError, TypeError, AttributeError):
            return None
        return cls.from_dict(document) if isinstance(document, dict) else None


class KluisError(Exception):
    """A failure a user can see: `reason` says what. Subclasses set `default_code` and `http_status`."""

    default_code: ClassVar[str]
    http_status: ClassVar[int] = 400

    def __init__(self, code: str | None = None, /, **params: str | int) -> None:
        self.reason = Reason(code or self.default_code, params)
        super().__init__(self.reason.message)

    def __str__(self) -> str:
        # What Lambda puts in errorMessage, and so what Step Functions hands the failure step.
        return json.dumps(self.reason.as_dict(), ensure_ascii=False)
