"""kzarchive: keep a report's footnoted sources alive.

Extracts every footnoted URL from a report, checks whether each still resolves, makes sure each has
a Wayback Machine snapshot, and writes a manifest pairing every citation with its archived copy.
"""

__version__ = "0.1.0"
