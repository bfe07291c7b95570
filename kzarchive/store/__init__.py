"""The library's store: every document, link, look, judgement, snapshot and piece of evidence.

One SQLite file (``kzarchive.db``) through the standard library's :mod:`sqlite3`: no dependency to
install or keep up, one file to copy or back up, and SQLite's write-ahead log gives what a library
needs: each finished link is one small transaction (a crash loses at most the links in flight),
readers never block the writer, and a second process on the same file waits its turn
(``busy_timeout``) instead of corrupting it. An ORM or a thin layer (SQLAlchemy, peewee,
sqlite-utils) would add a dependency for a handful of fixed statements. The per-document
``manifest.json`` stays the export users read and hand on, with its schema unchanged; the store is
where history lives.
"""

from kzarchive.store.db import STORE_NAME, Store, StoreBusy, StoreError

__all__ = ["STORE_NAME", "Store", "StoreBusy", "StoreError"]
