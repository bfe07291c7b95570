"""Which Chromium to drive, and the switches that keep it from talking to anyone but the cited
sites.

Playwright's own browser is used when it is installed (``playwright install chromium``, which
kzarchive never runs itself); else a system Chromium or Chrome on the PATH (Debian's
``chromium``). A browser is never downloaded at run time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kzarchive.errors import KzarchiveError

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
HOW_TO_GET_ONE = (
    "no Chromium found, so pages are kept as a plain HTTP client sees them (no screenshot, no "
    "script-built text): install one with `apt-get install chromium` (Debian, Ubuntu), "
    "`brew install --cask chromium` (macOS) or `python -m playwright install chromium`, or "
    "name one with --browser-path; --no-browser silences this"
)

DISABLED_FEATURES = (
    # Playwright's defaults (1.5x)
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "AimEnabled",
    "PreconnectToSearch",
    # What phones home
    "NetworkTimeServiceQuerying",
    "OptimizationHints",
    "OptimizationGuideModelDownloading",
    "OptimizationHintsFetching",
    "OptimizationTargetPrediction",
    "Translate",
    "MediaRouter",
    "DialMediaRouteProvider",
    "SafeBrowsing",
    "SafeBrowsingEnhancedProtection",
    "NetworkPrediction",
    "InterestFeedContentSuggestions",
    "CertificateTransparencyComponentUpdater",
    "AutofillServerCommunication",
    "PrivacySandboxSettings4",
)

# Background traffic off: no updates, sync, Safe Browsing, metrics, translation, prediction or
# field trials. Playwright adds some of these itself; they are listed so that they stay whatever
# Playwright's defaults become.
QUIET_SWITCHES = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-component-extensions-with-background-pages",
    "--disable-extensions",
    "--disable-field-trial-config",
    "--no-pings",
    "--safebrowsing-disable-auto-update",
    "--password-store=basic",
    "--use-mock-keychain",
    # Chromium reads only the last --disable-features: this one also carries Playwright's own
    # (which it replaces), NetworkTimeServiceQuerying among them (clients2.google.com/time).
    "--disable-features=" + ",".join(DISABLED_FEATURES),
    # Chromium 156 still asks update.googleapis.com for component updates despite
    # --disable-component-update (seen in its net log in a network namespace): its update
    # server is pointed at the discard port of this machine, so the request never leaves it.
    "--component-updater=url-source=http://127.0.0.1:9/",
    "--dns-prefetch-disable",
    "--hide-scrollbars",
    "--mute-audio",
)


class BrowserPathError(KzarchiveError):
    """``--browser-path`` names no program."""


def system_browser(explicit: Path | None = None) -> Path | None:
    """The browser named by ``explicit`` (checked), else a Chromium or Chrome on the PATH."""
    if explicit is not None:
        if explicit.is_file() and os.access(explicit, os.X_OK):
            return explicit
        found = shutil.which(str(explicit))
        if found:
            return Path(found)
        raise BrowserPathError(f"--browser-path {explicit}: no such program")
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def playwright_browser(executable: str) -> bool:
    """Whether Playwright's own Chromium (at ``executable``) is installed."""
    return bool(executable) and Path(executable).is_file()
