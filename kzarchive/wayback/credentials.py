"""Archive.org keys for Save Page Now 2: from the environment, else ``internetarchive``'s ini file.

The keys are secrets: :class:`Credentials` never shows them in its repr, and nothing else in
kzarchive prints, logs or stores them.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Credentials:
    access: str = field(repr=False)
    secret: str = field(repr=False)
    source: str = "environment"

    @property
    def authorization(self) -> str:
        """The value of the ``Authorization`` header SPN2 expects."""
        return f"LOW {self.access}:{self.secret}"


def config_paths(env: Mapping[str, str]) -> list[Path]:
    """Where the ``internetarchive`` package looks for its ini file, in its order."""
    home = Path(env.get("HOME") or Path.home())
    xdg = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    paths = [xdg / "internetarchive" / "ia.ini", home / ".config" / "ia.ini", home / ".ia"]
    if env.get("IA_CONFIG_FILE"):
        paths.insert(0, Path(env["IA_CONFIG_FILE"]))
    return paths


def load_credentials(env: Mapping[str, str] | None = None) -> Credentials | None:
    """Keys from ``IA_ACCESS_KEY``/``IA_SECRET_KEY``, else the ``[s3]`` section of the ini file."""
    env = os.environ if env is None else env
    access, secret = env.get("IA_ACCESS_KEY", "").strip(), env.get("IA_SECRET_KEY", "").strip()
    if access and secret:
        return Credentials(access, secret, "environment")
    for path in config_paths(env):
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeError):
            continue
        access = parser.get("s3", "access", fallback="").strip()
        secret = parser.get("s3", "secret", fallback="").strip()
        if access and secret:
            return Credentials(access, secret, str(path))
    return None
