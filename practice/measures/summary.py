"""Per partner and instrument: the administrations, the latest band, and change from the first."""

from __future__ import annotations

from dataclasses import dataclass

from practice.analytics.data import CoupleData, MeasureRow
from practice.measures.instruments import INSTRUMENTS, Instrument, reliable_change


@dataclass(frozen=True)
class MeasureSeries:
    instrument: Instrument
    role: str
    rows: tuple[MeasureRow, ...]

    @property
    def first(self) -> MeasureRow:
        return self.rows[0]

    @property
    def latest(self) -> MeasureRow:
        return self.rows[-1]

    @property
    def previous(self) -> MeasureRow | None:
        return self.rows[-2] if len(self.rows) > 1 else None

    @property
    def change(self) -> int:
        return self.latest.total - self.first.total

    @property
    def reliable(self) -> str | None:
        """improved, deteriorated, no reliable change; None without a threshold on file."""
        if len(self.rows) < 2:
            return "no reliable change" if self.instrument.reliable_change else None
        return reliable_change(self.instrument, self.first.total, self.latest.total)

    def reliable_days(self) -> set:
        """Administrations whose change from the first is reliable (marked on charts)."""
        if self.instrument.reliable_change is None:
            return set()
        return {
            row.day
            for row in self.rows[1:]
            if abs(row.total - self.first.total) >= self.instrument.reliable_change
        }


def measure_series(data: CoupleData) -> list[MeasureSeries]:
    """One series per instrument and partner that has at least one administration."""
    result = []
    for key, instrument in INSTRUMENTS.items():
        for role in ("injured", "involved"):
            rows = tuple(r for r in data.measures if r.instrument == key and r.role == role)
            if rows:
                result.append(MeasureSeries(instrument, role, rows))
    return result
