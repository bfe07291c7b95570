"""The Wayback Machine: finding snapshots and making new ones, as the service really answers.

The parts: :mod:`.client` (HTTP calls to CDX, Save Page Now 2 and the status endpoints, each
bounded in time and retried by :mod:`kzarchive.retry`), :mod:`.replies` (reading what the service
answers, in every shape it has been recorded answering), :mod:`.archiver` (per link: look up,
decide, capture within the account's means), :mod:`.anonymous` (the legacy keyless save),
:mod:`.options` and :mod:`.credentials`. Nothing is imported here, so that commands that do not
archive never load the client.
"""
