"""A case's access log of confidential fields as auditors read it. The engine logs one row per
page view that showed them (engine/queries/confidential.py): a clerk working a case reloads it,
saves, and comes back to it after each operation, each a view of its own. Consecutive identical
reads (the same reader, fields and way) close together are shown as one row, ×n."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from engine import ReadView

WINDOW = timedelta(minutes=15)  # from the run's first read


@dataclass(frozen=True)
class ReadRun:
    user: str
    fields: list[str]
    via: str
    at: datetime  # the first read
    last: datetime  # the last read
    count: int = 1


def runs(reads: Iterable[ReadView], window: timedelta = WINDOW) -> list[ReadRun]:
    """The log, oldest first, each run of identical reads within ``window`` as one."""
    out: list[ReadRun] = []
    for read in reads:
        run = out[-1] if out else None
        if run is not None and (run.user, run.fields, run.via) == (read.user, read.fields,
                                                                   read.via) \
                and read.at - run.at <= window:
            out[-1] = replace(run, last=read.at, count=run.count + 1)
        else:
            out.append(ReadRun(read.user, read.fields, read.via, read.at, read.at))
    return out
