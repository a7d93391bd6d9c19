"""What start-up builds stays out of the cyclic garbage collector's way.

Start-up leaves a large heap that lives as long as the process: the province's units,
SQLAlchemy's mappers and statement cache, aiogram's routers, pydantic's schemas, the
translation catalogues. CPython's cyclic collector walks all of it on every full
collection, and under load a full collection comes every few hundred updates: measured
with `benchmarks/throughput.py`, 9 full collections took 2.6 s of a 7 s run.
`gc.freeze()` moves what exists once start-up is over into a permanent generation the
collector no longer walks (as the `gc` documentation advises for long-lived servers).

And an update allocates some thousand container objects (pydantic models, dicts, the
handler's frames) that reference counting frees as soon as the update is done. With
CPython's default threshold (a young collection every 700 new containers) many of them
are still alive at a young collection and get promoted, and the older generations fill
and are collected more often. A young collection every 10,000 containers lets most die
first: in the same benchmark the collector's time while updates were flowing fell from
about a fifth to about a tenth of the run.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 10_000
_DEFAULT_THRESHOLD = gc.get_threshold()


def settle_after_start_up() -> None:
    gc.collect()  # what start-up left behind goes first: frozen garbage is never freed
    gc.freeze()
    _, older, oldest = _DEFAULT_THRESHOLD
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)


def unsettle() -> None:
    """At shutdown: a process that builds another application (the tests, the demo)
    lets the collector reach this one's objects again."""
    gc.unfreeze()
    gc.set_threshold(*_DEFAULT_THRESHOLD)
