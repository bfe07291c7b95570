"""Settings from a file, as lychee reads ``lychee.toml``: ``kzarchive.toml``, ``[tool.kzarchive]``.

Keys are the long options' names (``timeout``, ``per-host`` or ``per_host``, ``exclude = [...]``);
the command line and the environment override the file, the file overrides the defaults. A key
that is no option, or a value that option refuses, is one line naming the file and the line.
This module only reads and locates; the CLI checks each value against its option.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kzarchive.errors import KzarchiveError

CONFIG_NAME = "kzarchive.toml"


class ConfigError(KzarchiveError):
    """A configuration file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class Setting:
    key: str  # as an option's name: dashes, lower case
    value: Any
    where: str  # "kzarchive.toml:12"


@dataclass(frozen=True)
class Config:
    path: Path | None
    settings: dict[str, Setting]

    def where(self, key: str) -> str | None:
        setting = self.settings.get(key)
        return setting.where if setting else None


def _line_of(text: str, key: str, start: int = 0) -> int:
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(lines[start:], start=start + 1):
        if pattern.match(line):
            return number
    return start + 1 if start else 1


def _table_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[\s*tool\.kzarchive\s*\]", line):
            return number
    return 0


def load_config(path: Path | None, cwd: Path) -> Config:
    """The settings of ``path``, else of ``kzarchive.toml`` or ``pyproject.toml``'s
    ``[tool.kzarchive]`` in ``cwd``; none when there is no such file."""
    table_start = 0
    if path is None:
        candidate = cwd / CONFIG_NAME
        pyproject = cwd / "pyproject.toml"
        if candidate.is_file():
            path = candidate
        elif pyproject.is_file():
            path = pyproject
        else:
            return Config(None, {})
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if path.name == "pyproject.toml" and path.name != CONFIG_NAME:
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "kzarchive" not in tool:
            return Config(None, {})
        data = tool["kzarchive"]
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.kzarchive] must be a table")
        table_start = _table_line(text)
    settings: dict[str, Setting] = {}
    for raw_key, value in data.items():
        key = raw_key.lower().replace("_", "-")
        line = _line_of(text, raw_key, table_start)
        where = f"{path}:{line}"
        if isinstance(value, dict):
            raise ConfigError(f"{where}: [{raw_key}]: sections are not read; write keys at the top")
        settings[key] = Setting(key, value, where)
    return Config(path, settings)
