"""`${NAME}` and `${NAME:-default}` in config strings, taken from the environment; every value
taken is registered as a secret, so it is masked wherever it could be shown."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from watcher import redaction
from watcher.config.schema import Problems

_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_env(value: Any, where: str, problems: Problems) -> Any:
    """`value` with `${NAME}` and `${NAME:-default}` in every string taken from the environment."""
    if isinstance(value, str):
        return _expand_string(value, where, problems)
    if isinstance(value, list):
        return [expand_env(v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {k: expand_env(v, f"{where}.{k}", problems) for k, v in value.items()}
    return value


def _expand_string(text: str, where: str, problems: Problems) -> str:
    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            redaction.register(os.environ[name])
            return os.environ[name]
        if default is not None:
            return default
        problems.add(where, f"environment variable {name} is not set (referenced as ${{{name}}})")
        return ""

    return _ENV_REFERENCE.sub(substitute, text)
