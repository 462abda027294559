"""Appends after reads, gathered: the threads of a process that finish pages at the same moment
append their "viewed" rows in one transaction.

Nearly every page view appends to the audit chain, and the chain has one writer at a time. On a
busy server the threads of a process queued for that turn one by one, each with a transaction
of its own. Here the first thread in line appends what every waiting thread of its process
brought, in one transaction; each thread still returns only once its own rows are committed
(or with the error that stopped them), as before. Plain threading, no Flask.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from practice.audit.trail import Entry


@dataclass(eq=False)
class _Ticket:
    entries: Sequence[Entry]
    done: bool = False
    error: BaseException | None = field(default=None)


class AppendGathering:
    """One per app and process: gathers the entries of threads waiting to append."""

    def __init__(self) -> None:
        self._waiting: list[_Ticket] = []
        self._list = threading.Lock()
        self._turn = threading.Lock()  # one transaction at a time, by whichever thread is first

    def append(self, entries: Sequence[Entry], write: Callable[[list[Entry]], None]) -> int:
        """Append these entries, alone or with others', through write(all entries); returns
        how many entries that transaction held."""
        ticket = _Ticket(entries)
        with self._list:
            self._waiting.append(ticket)
        written = 0
        with self._turn:
            if not ticket.done:  # not already written by the thread before
                with self._list:
                    batch, self._waiting = self._waiting, []
                gathered = [entry for waiting in batch for entry in waiting.entries]
                try:
                    write(gathered)
                except BaseException as exc:
                    for waiting in batch:
                        waiting.error = exc
                else:
                    written = len(gathered)
                finally:
                    for waiting in batch:
                        waiting.done = True
        if ticket.error is not None:
            raise ticket.error
        return written
