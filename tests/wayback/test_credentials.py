"""Where archive.org keys come from, in the ``internetarchive`` package's order; never shown."""

from __future__ import annotations

from pathlib import Path

from kzarchive.wayback.credentials import Credentials, load_credentials


def ini(path: Path, access: str, secret: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[s3]\naccess = {access}\nsecret = {secret}\n[general]\nscreenname = x\n")
    return path


def test_environment_wins(tmp_path: Path) -> None:
    ini(tmp_path / ".ia", "file-a", "file-s")
    env = {"HOME": str(tmp_path), "IA_ACCESS_KEY": "env-a", "IA_SECRET_KEY": "env-s"}
    assert load_credentials(env) == Credentials("env-a", "env-s", "environment")


def test_ini_lookup_order(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    ini(home / ".ia", "dot-ia", "s1")
    assert load_credentials(env).access == "dot-ia"  # type: ignore[union-attr]
    ini(home / ".config" / "ia.ini", "config-ia", "s2")
    assert load_credentials(env).access == "config-ia"  # type: ignore[union-attr]
    ini(tmp_path / "xdg" / "internetarchive" / "ia.ini", "xdg", "s3")
    assert load_credentials(env).access == "xdg"  # type: ignore[union-attr]
    chosen = ini(tmp_path / "chosen.ini", "chosen", "s4")
    found = load_credentials({**env, "IA_CONFIG_FILE": str(chosen)})
    assert found is not None and (found.access, found.source) == ("chosen", str(chosen))


def test_half_keys_and_broken_files_are_no_keys(tmp_path: Path) -> None:
    (tmp_path / ".ia").write_text("this is [not an ini")
    assert load_credentials({"HOME": str(tmp_path), "IA_ACCESS_KEY": "only-one"}) is None


def test_keys_are_not_in_the_repr() -> None:
    keys = Credentials("ACCESS123", "SECRET456")
    assert "ACCESS123" not in repr(keys) and "SECRET456" not in repr(keys)
    assert keys.authorization == "LOW ACCESS123:SECRET456"
