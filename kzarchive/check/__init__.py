"""Link checking: does each cited URL still resolve, and if not, why not.

The parts: :mod:`.checker` (the I/O: per-host gates, redirects, retries, the second look),
:mod:`.rules` (pure judgement: status codes, login walls, bot challenges, soft 404s),
:mod:`.soft404` (probing a site's not-found page), :mod:`.dns` (each host resolved once, offline
told from dead), :mod:`.session` (the aiohttp session and its failures named) and
:mod:`.reasons` (the vocabulary). Only the options are imported here, so that ``--help`` and
the commands that do not check stay quick; import the checker from :mod:`.checker`.
"""

from kzarchive.check.options import DEFAULT_USER_AGENT, CheckOptions

__all__ = ["DEFAULT_USER_AGENT", "CheckOptions"]
