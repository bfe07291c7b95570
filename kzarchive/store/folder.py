"""Folders made before the store: their manifests imported the first time a store meets them.

``kzarchive run`` of an earlier release kept everything in ``archive/manifest.json`` (checks with
their history, snapshots, judgements, evidence). Opening a store for such a folder reads that
manifest, and any in the folder's subfolders (a library's documents), into the store, once: a
document the store already knows is left alone, and the files are never changed. A folder whose
document was forgotten (``kzarchive library --forget``) holds a marker file and is never imported
again, so that the document stays forgotten while its folder is kept.
"""

from __future__ import annotations

from pathlib import Path

from kzarchive.manifest import MANIFEST_NAME, load
from kzarchive.store.db import STORE_NAME, Store

# In a document's folder left on disk when the document was forgotten: not imported again
FORGOTTEN_NAME = ".kzarchive-forgotten"


def mark_forgotten(folder: Path, document: str) -> None:
    """Mark a forgotten document's folder, if it is there, so that no later command imports its
    manifest back into the store (deleting the marker undoes it)."""
    if folder.is_dir():
        (folder / FORGOTTEN_NAME).write_text(
            f"kzarchive: {document} was dropped from the library (kzarchive library --forget);\n"
            "this folder is kept as it is and not imported again. Delete this file to import it.\n"
        )


def is_forgotten(folder: Path) -> bool:
    return (folder / FORGOTTEN_NAME).is_file()


def manifests_in(folder: Path) -> list[Path]:
    """The folder's manifest and its subfolders' (one level down), in name order."""
    found = [folder / MANIFEST_NAME] if (folder / MANIFEST_NAME).is_file() else []
    if folder.is_dir():
        found += sorted(p for p in folder.glob(f"*/{MANIFEST_NAME}") if p.is_file())
    return found


def import_folder(store: Store, folder: Path) -> list[str]:
    """Import every manifest of ``folder`` whose document the store does not know yet; return
    the documents imported. A manifest that cannot be read is left for the run to report."""
    documents = store.documents()
    known = {d.path for d in documents}
    # A folder the store already writes a document into holds nothing new (and reading every
    # document's manifest again would make a library's start as slow as its size).
    owned = {str((folder / d.folder).resolve()) for d in documents if d.folder}
    imported: list[str] = []
    for path in manifests_in(folder):
        if str(path.parent.resolve()) in owned or is_forgotten(path.parent):
            continue
        try:
            manifest = load(path)
        except Exception:
            continue
        given = str(manifest.document.get("path") or path.parent)
        location = manifest.document.get("location")
        # where the report is: from the folder (newer manifests say), else as it was given
        document = str(
            (path.parent / str(location)).resolve()
            if location
            else given
            if given.startswith("<")
            else Path(given).resolve()
        )
        if document in known:
            continue
        with store.transaction():
            document_id = store.put_document(
                manifest.document,
                manifest.citations,
                path.parent.relative_to(folder).as_posix(),  # "." for the folder itself
                key=document,
            )
            for record in manifest.links:
                store.import_link(record)
            store.keep_uncited(document_id, [r for r in manifest.links if not r.cited])
        known.add(document)
        imported.append(document)
    return imported


def open_for(folder: Path, store_path: Path | None = None, *, wait: float | None = None) -> Store:
    """The store of an output folder (``FOLDER/kzarchive.db`` unless given), with the folder's
    older manifests imported on first use."""
    path = store_path or folder / STORE_NAME
    store = Store.open(path) if wait is None else Store.open(path, wait=wait)
    try:
        import_folder(store, folder)
    except BaseException:
        store.close()
        raise
    return store
