"""The evidence kzarchive keeps itself: what each link answered, as WARC records packaged in a
WACZ, media of video pages, SHA-256 hashes, RFC 3161 timestamps, and the check of all of it.

A Wayback snapshot is a pointer to a copy someone else keeps (and for video pages often a login
wall); these are the copies the user holds, with a trusted time.
"""

from kzarchive.evidence.records import Evidence, MediaFile

__all__ = ["Evidence", "MediaFile"]
