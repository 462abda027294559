"""Per partner and instrument: the administrations, the latest band, and change from the first."""

from __future__ import annotations

from dataclasses import dataclass

from practice.analytics.data import CoupleData, MeasureRow
from practice.analytics.outcomes import Threshold, change_category
from practice.i18n import lazy_gettext as _l
from practice.measures.instruments import INSTRUMENTS, Instrument

# Jacobson-Truax categories (practice.analytics.outcomes) as people read them.
CATEGORY_WORDS = {
    "recovered": _l("recovered"),
    "improved": _l("improved"),
    "no reliable change": _l("no reliable change"),
    "deteriorated": _l("deteriorated"),
}


def category_words(category: str | None) -> str:
    """A change category in the reader's language; None: no threshold on file."""
    if category is None:
        return str(_l("no threshold on file"))
    return str(CATEGORY_WORDS.get(category, category))


@dataclass(frozen=True)
class MeasureSeries:
    instrument: Instrument
    role: str
    rows: tuple[MeasureRow, ...]
    threshold: Threshold | None = None  # None: the instrument's published value, if any

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
    def reliable_change(self) -> float | None:
        """The reliable-change value in force (published, else practice-set, else None)."""
        if self.threshold is not None:
            return self.threshold.value
        return self.instrument.reliable_change

    @property
    def threshold_source(self) -> str:
        """Where the reliable-change value comes from (printed beside it)."""
        if self.threshold is not None:
            return self.threshold.source
        return self.instrument.reliable_change_source

    @property
    def category(self) -> str | None:
        """Jacobson-Truax: recovered, improved, no reliable change, deteriorated; None without
        a threshold on file."""
        return change_category(
            self.first.total,
            self.latest.total,
            self.reliable_change,
            higher_is_better=self.instrument.higher_is_better,
            cutoff=self.instrument.cutoff,
        )

    @property
    def reliable(self) -> str | None:
        """improved, deteriorated, no reliable change; None without a threshold on file."""
        category = self.category
        return "improved" if category == "recovered" else category

    def reliable_days(self) -> set:
        """Administrations whose change from the first is reliable (marked on charts)."""
        value = self.reliable_change
        if value is None:
            return set()
        return {row.day for row in self.rows[1:] if abs(row.total - self.first.total) >= value}


def measure_series(data: CoupleData) -> list[MeasureSeries]:
    """One series per instrument and partner that has at least one administration."""
    from practice.measures.thresholds import thresholds_in_force

    thresholds = thresholds_in_force(data.practice_thresholds)
    result = []
    for key, instrument in INSTRUMENTS.items():
        for role in ("injured", "involved"):
            rows = tuple(r for r in data.measures if r.instrument == key and r.role == role)
            if rows:
                result.append(MeasureSeries(instrument, role, rows, thresholds[key]))
    return result
