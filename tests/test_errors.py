"""The one exception tree (watcher/errors.py): every error Watcher raises on purpose is a
WatcherError, and a source error's kind is a SourceErrorKind given as the enum or its value."""

from __future__ import annotations

import json

import pytest

from watcher import errors
from watcher.errors import SourceError, SourceErrorKind, WatcherError
from watcher.http.client import HttpStatusError


def test_every_error_is_a_watcher_error() -> None:
    classes = [value for value in vars(errors).values()
               if isinstance(value, type) and issubclass(value, BaseException)]
    assert len(classes) >= 10
    assert all(issubclass(cls, WatcherError) for cls in classes)
    assert issubclass(HttpStatusError, SourceError)


@pytest.mark.parametrize("kind", ["timeout", "http", "rate_limited", "too_large", "parse",
                                  "auth", "network", "blocked", "internal"])
def test_a_kind_given_as_its_value_is_the_enum(kind: str) -> None:
    error = SourceError("failed", kind)
    assert error.kind is SourceErrorKind(kind)
    assert error.kind == kind and f"{error.kind}" == kind and str(error.kind) == kind
    assert json.dumps({"kind": error.kind}) == json.dumps({"kind": kind})


def test_the_default_kind_is_http_and_the_message_is_kept() -> None:
    error = SourceError("HTTP 500 Internal Server Error")
    assert error.kind is SourceErrorKind.HTTP and str(error) == "HTTP 500 Internal Server Error"
    assert HttpStatusError("HTTP 429", 429, "rate_limited").kind is SourceErrorKind.RATE_LIMITED


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="captcha"):
        SourceError("failed", "captcha")


def test_errors_that_were_value_errors_still_are() -> None:
    for cls in (errors.UnknownKind, errors.ScoringConfigError, errors.BotUrlError,
                errors.ItemError):
        assert issubclass(cls, ValueError)
