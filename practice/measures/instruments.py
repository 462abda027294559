"""Validated questionnaires: exact published wording, scoring, bands and reliable change.

Each instrument records its source and licence note beside its definition. Scores are sums of
the item scores; a score is computed only from a complete administration (the forms require
every scored item), so no missing-item rule is applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from practice.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[tuple[str, int], ...]  # (label, score)
    scored: bool = True


@dataclass(frozen=True)
class Band:
    minimum: int  # the band runs from here to the next band's minimum
    label: str
    rank: int  # 0 is the least concerning


@dataclass(frozen=True)
class Instrument:
    key: str
    short_name: str
    name: str
    stem: str
    items: tuple[Item, ...]
    minimum: int
    maximum: int
    bands: tuple[Band, ...]
    higher_is_better: bool
    # A change from the first administration at least this large is reliable; None when no
    # verified published figure is on file here (then Mend says so rather than guess).
    reliable_change: float | None
    reliable_change_source: str
    source: str
    licence: str
    # Jacobson & Truax (1991) "recovered" needs a cutoff between the clinical and non-clinical
    # ranges: a score in the clinical range is >= cutoff (lower is better) or < cutoff (higher
    # is better). Only cutoffs already on file with their source; None when there is none.
    cutoff: float | None = None
    cutoff_source: str = ""
    # LOINC codes verified with their source (see README); None where none could be verified.
    loinc_panel: str | None = None
    loinc_total: str | None = None
    version: str = "1"
    # Shown wherever the score is: e.g. the PCL-5's cut-point is provisional.
    score_note: str = ""

    def band(self, score: int) -> Band:
        """The band a score falls in."""
        found = self.bands[0]
        for band in self.bands:
            if score >= band.minimum:
                found = band
        return found

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)


PHQ_OPTIONS = (
    ("Not at all", 0),
    ("Several days", 1),
    ("More than half the days", 2),
    ("Nearly every day", 3),
)
PFIZER = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and "
    "colleagues, with an educational grant from Pfizer Inc. No permission required to "
    "reproduce, translate, display or distribute."
)
TWO_WEEKS = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)
DIFFICULTY = Item(
    "difficulty",
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?",
    (
        ("Not difficult at all", 0),
        ("Somewhat difficult", 1),
        ("Very difficult", 2),
        ("Extremely difficult", 3),
    ),
    scored=False,
)
IAPT = (
    "NHS Talking Therapies for anxiety and depression Manual (NHS England, 2018 onwards): "
    "reliable change is a change of 6 or more points on the PHQ-9 and 4 or more points on "
    "the GAD-7."
)

PHQ9 = Instrument(
    key="phq9",
    short_name="PHQ-9",
    name="Patient Health Questionnaire (PHQ-9)",
    stem=TWO_WEEKS,
    items=(
        Item("phq1", "Little interest or pleasure in doing things", PHQ_OPTIONS),
        Item("phq2", "Feeling down, depressed, or hopeless", PHQ_OPTIONS),
        Item("phq3", "Trouble falling or staying asleep, or sleeping too much", PHQ_OPTIONS),
        Item("phq4", "Feeling tired or having little energy", PHQ_OPTIONS),
        Item("phq5", "Poor appetite or overeating", PHQ_OPTIONS),
        Item(
            "phq6",
            "Feeling bad about yourself — or that you are a failure or have let "
            "yourself or your family down",
            PHQ_OPTIONS,
        ),
        Item(
            "phq7",
            "Trouble concentrating on things, such as reading the newspaper or watching television",
            PHQ_OPTIONS,
        ),
        Item(
            "phq8",
            "Moving or speaking so slowly that other people could have noticed? Or "
            "the opposite — being so fidgety or restless that you have been moving around a "
            "lot more than usual",
            PHQ_OPTIONS,
        ),
        Item(
            "phq9",
            "Thoughts that you would be better off dead or of hurting yourself in some way",
            PHQ_OPTIONS,
        ),
        DIFFICULTY,
    ),
    minimum=0,
    maximum=27,
    bands=(
        Band(0, "minimal", 0),
        Band(5, "mild", 1),
        Band(10, "moderate", 2),
        Band(15, "moderately severe", 3),
        Band(20, "severe", 4),
    ),
    higher_is_better=False,
    reliable_change=6,
    reliable_change_source=IAPT,
    source="Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression "
    "severity measure. J Gen Intern Med 2001;16(9):606-613.",
    licence=PFIZER,
    cutoff=10,
    cutoff_source="Kroenke, Spitzer & Williams (2001): a score of 10 or more (the 'moderate' "
    "band on file) is the clinical range.",
    # LOINC 44249-1 (PHQ-9 quick depression assessment panel) and 44261-6 (PHQ-9 total score),
    # as used by HL7 US Core's PHQ-9 examples and the HL7 personal health record IG's
    # scored-assessment value set.
    loinc_panel="44249-1",
    loinc_total="44261-6",
)

GAD7 = Instrument(
    key="gad7",
    short_name="GAD-7",
    name="Generalized Anxiety Disorder scale (GAD-7)",
    stem=TWO_WEEKS,
    items=(
        Item("gad1", "Feeling nervous, anxious, or on edge", PHQ_OPTIONS),
        Item("gad2", "Not being able to stop or control worrying", PHQ_OPTIONS),
        Item("gad3", "Worrying too much about different things", PHQ_OPTIONS),
        Item("gad4", "Trouble relaxing", PHQ_OPTIONS),
        Item("gad5", "Being so restless that it is hard to sit still", PHQ_OPTIONS),
        Item("gad6", "Becoming easily annoyed or irritable", PHQ_OPTIONS),
        Item("gad7", "Feeling afraid, as if something awful might happen", PHQ_OPTIONS),
        DIFFICULTY,
    ),
    minimum=0,
    maximum=21,
    bands=(
        Band(0, "minimal", 0),
        Band(5, "mild", 1),
        Band(10, "moderate", 2),
        Band(15, "severe", 3),
    ),
    higher_is_better=False,
    reliable_change=4,
    reliable_change_source=IAPT,
    source="Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing "
    "generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097.",
    licence=PFIZER,
    cutoff=10,
    cutoff_source="Spitzer et al. (2006): a score of 10 or more (the 'moderate' band on file) "
    "is the clinical range.",
    # LOINC 69737-5 (Generalized anxiety disorder 7 item panel) and 70274-6 (GAD-7 total
    # score), as listed in the HL7 personal health record IG's scored-assessment value set.
    loinc_panel="69737-5",
    loinc_total="70274-6",
)

NOT_AT_ALL_TRUE = (
    ("Not at all True", 0),
    ("A little True", 1),
    ("Somewhat True", 2),
    ("Mostly True", 3),
    ("Almost Completely True", 4),
    ("Completely True", 5),
)
NOT_AT_ALL = (
    ("Not at all", 0),
    ("A little", 1),
    ("Somewhat", 2),
    ("Mostly", 3),
    ("Almost Completely", 4),
    ("Completely", 5),
)

CSI4 = Instrument(
    key="csi4",
    short_name="CSI-4",
    name="Couples Satisfaction Index (CSI-4)",
    stem="Please answer about your relationship with your partner.",
    items=(
        Item(
            "csi1",
            "Please indicate the degree of happiness, all things considered, of your relationship.",
            (
                ("Extremely Unhappy", 0),
                ("Fairly Unhappy", 1),
                ("A Little Unhappy", 2),
                ("Happy", 3),
                ("Very Happy", 4),
                ("Extremely Happy", 5),
                ("Perfect", 6),
            ),
        ),
        Item(
            "csi2", "I have a warm and comfortable relationship with my partner.", NOT_AT_ALL_TRUE
        ),
        Item("csi3", "How rewarding is your relationship with your partner?", NOT_AT_ALL),
        Item("csi4", "In general, how satisfied are you with your relationship?", NOT_AT_ALL),
    ),
    minimum=0,
    maximum=21,
    bands=(Band(0, "notable relationship distress", 1), Band(14, "no notable distress", 0)),
    higher_is_better=True,
    reliable_change=None,
    reliable_change_source="No verified published reliable-change figure for the CSI-4 is on "
    "file in Mend yet (the Jacobson-Truax formula needs the reference SD, which could not be "
    "checked here), so Mend reports the change without calling it reliable.",
    source="Funk JL, Rogge RD. Testing the ruler with item response theory: increasing "
    "precision of measurement for relationship satisfaction with the Couples Satisfaction "
    "Index. J Fam Psychol 2007;21(4):572-583. Scores below 13.5 suggest notable relationship "
    "distress.",
    licence="The CSI scales are offered by their authors free of charge for research and "
    "clinical use, with citation of Funk & Rogge (2007).",
    cutoff=13.5,
    cutoff_source="Funk & Rogge (2007): scores below 13.5 suggest notable relationship distress.",
)

# The PCL-5 lives in its own module (twenty items); imported here so INSTRUMENTS lists it.
from practice.measures.pcl5 import PCL5  # noqa: E402

INSTRUMENTS: dict[str, Instrument] = {i.key: i for i in (CSI4, PHQ9, GAD7, PCL5)}

# --- languages ---------------------------------------------------------------------------------
# A validated questionnaire is shown only in a wording its publisher (or a validation study) has
# published, never machine-translated or translated by us: a different wording is a different
# instrument, and its scores and bands would no longer mean what the source says.
#
# Searched on 2026-12-06 (Mend's reference search: docs, pages and code corpora) for:
# - PHQ-9 and GAD-7 "Spanish for USA" from Pfizer's screener site (phqscreeners.com): the
#   official page and PDFs were not in reach; only third-party copies were found, which are not
#   a source we can cite as the publisher's. Not used.
# - CSI-4: validated translations found for Persian, Korean and Canadian French, none for
#   Spanish with its item wording. Not used.
# - PCL-5: Spanish adaptations published by research groups (Madrid 2016, Mexico 2019, Spain
#   2024), but no Spanish form from the VA National Center for PTSD. Not used.
# So every instrument is in English only. To add a language: put the published wording in a
# translation table here with its exact source (URL and title), and list it in VALIDATED below.
VALIDATED: dict[str, dict[str, str]] = {key: {} for key in INSTRUMENTS}  # key -> {lang: source}
SOURCE_LANGUAGE = "en"


def shown_language(instrument_key: str, language: str) -> str:
    """The language an instrument is shown in to a reader of `language`: theirs where a
    validated translation is on file, else English."""
    if language in VALIDATED.get(instrument_key, {}):
        return language
    return SOURCE_LANGUAGE


def missing_translation_note(instrument_key: str, language: str) -> str | None:
    """What the clinician's pages say when a reader of `language` sees the English instrument;
    None when nothing is missing."""
    if shown_language(instrument_key, language) == language:
        return None
    if language == "es":
        return _("No validated Spanish translation on file; shown in English.")
    return _(
        "No validated translation in %(language)s on file; shown in English.", language=language
    )


class ScoringError(ValueError):
    """An administration that cannot be scored; the message names what is missing."""


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    band: str
    band_rank: int
    self_harm_item: int | None  # PHQ-9 item 9, the thoughts-of-self-harm item


def score(instrument: Instrument, answers: dict[str, str]) -> Score:
    """Score a complete administration from the option labels chosen."""
    missing = [i for i in instrument.scored_items if answers.get(i.key) in (None, "")]
    if missing:
        raise ScoringError("Please answer: " + "; ".join(i.text for i in missing))
    total = 0
    values = {}
    for item in instrument.scored_items:
        lookup = dict(item.options)
        if answers[item.key] not in lookup:
            raise ScoringError(f"Not one of the answers for: {item.text}")
        values[item.key] = lookup[answers[item.key]]
        total += values[item.key]
    band = instrument.band(total)
    return Score(
        instrument.key,
        total,
        band.label,
        band.rank,
        values.get("phq9") if instrument.key == "phq9" else None,
    )


def reliable_change(instrument: Instrument, first: int, latest: int) -> str | None:
    """'improved', 'deteriorated', 'no reliable change', or None when no threshold is on file."""
    if instrument.reliable_change is None:
        return None
    change = latest - first
    if abs(change) < instrument.reliable_change:
        return "no reliable change"
    better = change > 0 if instrument.higher_is_better else change < 0
    return "improved" if better else "deteriorated"


# Band labels are stored and exported as these English codes (MeasureScore.band, FHIR); pages
# and reports show them to a person through band_label, in the reader's language.
BAND_LABELS = {
    "minimal": _l("minimal"),
    "mild": _l("mild"),
    "moderate": _l("moderate"),
    "moderately severe": _l("moderately severe"),
    "severe": _l("severe"),
    "notable relationship distress": _l("notable relationship distress"),
    "no notable distress": _l("no notable distress"),
    "below the provisional cut-point": _l("below the provisional cut-point"),
    "in the provisional cut-point range": _l("in the provisional cut-point range"),
    "above the provisional cut-point": _l("above the provisional cut-point"),
}
SCORE_NOTES = {
    "pcl5": _l("The VA suggests a cut-point of 31–33 and says it is provisional."),
}


def band_label(band: str) -> str:
    """A band's name for a reader, in their language (the stored code when none is known)."""
    return str(BAND_LABELS.get(band, band))


def score_note(instrument: Instrument) -> str:
    """The instrument's note shown wherever its score is, in the reader's language."""
    return str(SCORE_NOTES.get(instrument.key, instrument.score_note))
