"""Demo assignments and about 60 days of realistic, fictional answers for the demo couples."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from practice.demo_texts import demo_texts
from practice.exercises.schedule import Rule, occurrences, weekday_mask
from practice.models import Assignment, Couple, ExerciseTemplate, Response, User, utcnow

# The words live in practice/data/demo/exercises.toml and boundaries.toml.
WORDS = demo_texts("exercises")
NEEDS: list[str] = WORDS["check_in"]["needs"]
POSITIVE: list[str] = WORDS["check_in"]["positive"]
REPAIR: list[str] = WORDS["check_in"]["repair"]


_NOW: ContextVar[datetime | None] = ContextVar("demo_now", default=None)
SQUEEZE = timedelta(hours=1)


@contextmanager
def demo_clock(now: datetime) -> Iterator[None]:
    """The moment the demo is loaded at: nothing it writes is dated after it."""
    token = _NOW.set(now)
    try:
        yield
    finally:
        _NOW.reset(token)


def not_after_now(moment: datetime) -> datetime:
    """`moment`, or, when it lies less than an hour before now or later (an answer "tonight at
    20:15" on a demo loaded at 08:05), a moment squeezed into the last hour, in the same order."""
    now = _NOW.get() or utcnow()
    start = now - SQUEEZE
    if moment <= start:
        return moment
    over = (moment - start) / SQUEEZE
    return start + SQUEEZE * (over / (1 + over))


def _at(day: date, hour: int) -> datetime:
    return not_after_now(datetime.combine(day, time(hour, 15), tzinfo=UTC))


def _assignment(
    db: Session, couple: Couple, template: ExerciseTemplate, clinician: User, **values: Any
) -> Assignment:
    definition = template.latest.definition
    values.setdefault("answered_by", definition["answered_by"])
    values.setdefault("visibility", definition["visibility"])
    assignment = Assignment(
        couple_id=couple.id, template_id=template.id, created_by_id=clinician.id, **values
    )
    assignment.created_at = _at(values["start_on"], 9)
    db.add(assignment)
    db.flush()
    return assignment


def _answer(
    db: Session,
    assignment: Assignment,
    day: date,
    slot: str,
    couple: Couple,
    answers: dict[str, Any],
    submitted: datetime | None,
    visibility: str | None = None,
) -> None:
    partner = couple.partner("injured" if slot == "together" else slot)
    # The clinician has read everything up to the last week; newer answers show as new.
    recent = submitted is None or submitted.date() >= (_NOW.get() or utcnow()).date() - timedelta(
        days=7
    )
    reviewed = None if recent else submitted + timedelta(days=2)
    db.add(
        Response(
            assignment_id=assignment.id,
            occurrence_on=day,
            slot=slot,
            partner_id=partner.id,
            version_id=assignment.template.latest.id,
            answers=answers,
            status="submitted" if submitted else "draft",
            revision=2,
            visibility=visibility or assignment.visibility,
            created_at=submitted or _at(day, 20),
            updated_at=submitted or _at(day, 20),
            submitted_at=submitted,
            reviewed_at=reviewed,
            reviewed_by_id=couple.clinician_id if reviewed else None,
        )
    )


def _check_ins(db, couple, template, clinician, today, rng, start_days_ago, base, slope, rate):
    start = today - timedelta(days=start_days_ago)
    assignment = _assignment(db, couple, template, clinician, schedule="daily", start_on=start)
    for day in occurrences(Rule("daily", start), start, today):
        progress = (day - start).days / max(start_days_ago, 1)
        for slot in ("injured", "involved"):
            if rng.random() > rate[slot]:
                continue
            # A steady climb, with a dip about two thirds of the way (a hard fortnight).
            lift = slope * progress * 10 - (2.5 if 0.6 <= progress < 0.75 else 0)

            def scale(value: float) -> int:
                return max(0, min(10, round(value + rng.uniform(-1.2, 1.2))))

            answers = {
                "trust": scale(base[slot] + lift),
                "emotional_safety": scale(base[slot] + 1 + lift),
                "connection": scale(base[slot] + lift * 0.8),
                "distress": scale(8 - base[slot] - lift * 0.9),
                "need_now": rng.choice(NEEDS) if rng.random() < 0.6 else "",
            }
            if slot == "injured":
                answers["positive_change"] = rng.choice(POSITIVE) if rng.random() < 0.5 else ""
            else:
                answers["repair_action"] = rng.choice(REPAIR) if rng.random() < 0.7 else ""
            late = rng.random() < 0.1
            when = _at(day + timedelta(days=1 if late else 0), 21 if slot == "injured" else 22)
            _answer(db, assignment, day, slot, couple, answers, when)
    return assignment


def add_demo_exercises(db: Session, couples: list[Couple], clinician: User, today: date) -> None:
    """Assignments and answers for Harbour (stage 2), Willow (stage 4), Lantern (stage 6)."""
    from sqlalchemy import select

    library = {
        t.slug: t
        for t in db.scalars(select(ExerciseTemplate).where(ExerciseTemplate.owner_id.is_(None)))
    }
    rng = random.Random(20261125)  # noqa: S311 (fictional demo data, repeatable)
    harbour, willow, lantern = couples

    _check_ins(
        db,
        harbour,
        library["daily-check-in"],
        clinician,
        today,
        rng,
        30,
        base={"injured": 2, "involved": 4},
        slope=0.15,
        rate={"injured": 0.7, "involved": 0.9},
    )
    inventory = _assignment(
        db,
        harbour,
        library["feelings-inventory"],
        clinician,
        schedule="once",
        start_on=today - timedelta(days=34),
        due_on=today - timedelta(days=28),
    )
    _answer(
        db,
        inventory,
        inventory.due_on,
        "injured",
        harbour,
        {
            "anger": 8,
            "sadness": 9,
            "confusion": 7,
            "fear": 6,
            "shame": 4,
            "numbness": 5,
            "hope": 2,
            "anything_else": WORDS["harbour"]["feelings_inventory"]["anything_else"],
        },
        _at(inventory.due_on - timedelta(days=1), 21),
    )
    letter = _assignment(
        db,
        harbour,
        library["what-i-need-you-to-understand"],
        clinician,
        schedule="once",
        start_on=today - timedelta(days=30),
        due_on=today - timedelta(days=20),
    )
    _answer(
        db,
        letter,
        letter.due_on,
        "injured",
        harbour,
        {**WORDS["harbour"]["what_i_need_you_to_understand"], "how_to_use": None},
        _at(letter.due_on + timedelta(days=2), 20),
    )
    reflection = _assignment(
        db,
        harbour,
        library["listening-reflection"],
        clinician,
        schedule="once",
        start_on=today - timedelta(days=19),
        due_on=today - timedelta(days=12),
    )
    _answer(
        db,
        reflection,
        reflection.due_on,
        "involved",
        harbour,
        dict(WORDS["harbour"]["listening_reflection"]),
        _at(reflection.due_on - timedelta(days=1), 19),
    )
    accountability = _assignment(
        db,
        harbour,
        library["accountability-letter"],
        clinician,
        schedule="once",
        start_on=today - timedelta(days=9),
        due_on=today + timedelta(days=5),
    )
    _answer(
        db,
        accountability,
        accountability.due_on,
        "involved",
        harbour,
        {
            "letter": WORDS["harbour"]["accountability_letter"]["letter"],
            "self_check": list(WORDS["harbour"]["accountability_letter"]["self_check"]),
        },
        None,
    )

    _check_ins(
        db,
        willow,
        library["daily-check-in"],
        clinician,
        today,
        rng,
        90,
        base={"injured": 3, "involved": 5},
        slope=0.25,
        rate={"injured": 0.85, "involved": 0.9},
    )
    proposal = _assignment(
        db,
        willow,
        library["boundary-proposal"],
        clinician,
        schedule="once",
        start_on=today - timedelta(days=20),
        due_on=today - timedelta(days=14),
    )
    proposals = WORDS["willow"]["boundary_proposal"]
    for slot in ("injured", "involved"):
        text, consequence = proposals[slot]["boundary"], proposals[slot]["consequence"]
        _answer(
            db,
            proposal,
            proposal.due_on,
            slot,
            willow,
            {
                "boundary_1": text,
                "consequence_1": consequence,
                "check_1": proposals["check"],
                "review_date": (today + timedelta(days=30)).isoformat(),
            },
            _at(proposal.due_on - timedelta(days=1), 20),
        )

    _check_ins(
        db,
        lantern,
        library["daily-check-in"],
        clinician,
        today,
        rng,
        90,
        base={"injured": 5, "involved": 6},
        slope=0.2,
        rate={"injured": 0.8, "involved": 0.85},
    )
    moments = _assignment(
        db,
        lantern,
        library["connection-moments"],
        clinician,
        schedule="weekly",
        weekdays=weekday_mask([6]),
        start_on=today - timedelta(days=50),
        status="active",
        consent_at=_at(today - timedelta(days=50), 12),
    )
    moments_words = WORDS["lantern"]["connection_moments"]
    for day in occurrences(
        Rule("weekly", moments.start_on, weekdays=moments.weekdays), moments.start_on, today
    ):
        for slot in ("injured", "involved"):
            _answer(
                db,
                moments,
                day,
                slot,
                lantern,
                {
                    "what_we_did": rng.choice(moments_words["what_we_did"]),
                    "comfort": rng.randint(4, 8),
                    "what_made_it_easier": moments_words["what_made_it_easier"],
                    "what_made_it_harder": moments_words["what_made_it_harder"],
                },
                _at(day, 21),
            )
    _assignment(
        db,
        lantern,
        library["pace-agreement"],
        clinician,
        schedule="once",
        start_on=today,
        due_on=today + timedelta(days=7),
        status="awaiting_consent",
        plan_stage=6,
    )
    repair = _assignment(
        db,
        lantern,
        library["daily-repair-log"],
        clinician,
        schedule="daily",
        start_on=today - timedelta(days=14),
    )
    for day in occurrences(Rule("daily", repair.start_on), repair.start_on, today):
        if rng.random() < 0.8:
            _answer(
                db,
                repair,
                day,
                "involved",
                lantern,
                {
                    "small_action": rng.choice(REPAIR),
                    "follow_through": WORDS["lantern"]["daily_repair_log"]["follow_through"],
                    "did_what_i_said": True,
                },
                _at(day, 22),
            )
    db.flush()


def add_demo_boundaries(db: Session, couples: list[Couple], today: date) -> None:
    """Agreed boundaries with daily and weekly logs: mostly kept, a few crossings, one day the
    partners' reports differ, and a proposal still waiting."""
    from practice.models import Boundary, BoundaryLog, BoundaryRevision

    rng = random.Random(4)  # noqa: S311 (fictional demo data, repeatable)
    harbour, willow, lantern = couples
    texts = demo_texts("boundaries")

    def boundary(couple, text, consequence, period, days_ago, status="active", proposer="injured"):
        created = _at(today - timedelta(days=days_ago), 10)
        item = Boundary(
            couple_id=couple.id,
            text=text,
            consequence=consequence,
            check_period=period,
            status=status,
            proposed_by_id=couple.partner(proposer).id,
            created_at=created,
            injured_accepted_at=created,
            involved_accepted_at=created + timedelta(hours=5) if status == "active" else None,
            activated_at=created + timedelta(hours=5) if status == "active" else None,
            review_on=today + timedelta(days=30),
        )
        item.revisions.append(
            BoundaryRevision(
                number=1,
                text=text,
                consequence=consequence,
                check_period=period,
                review_on=item.review_on,
                summary=texts["revision"]["summary"],
                agreed_by=texts["revision"]["agreed"]
                if status == "active"
                else texts["revision"][f"proposed_by_{proposer}"],
                changed_at=created,
            )
        )
        db.add(item)
        db.flush()
        return item

    def logs(item, days_ago, crossed=(), differ=(), miss=0.1):
        start = today - timedelta(days=days_ago)
        step = 7 if item.check_period == "weekly" else 1
        day = start - timedelta(days=start.weekday()) + timedelta(days=7) if step == 7 else start
        while day <= today:
            offset = (today - day).days
            for role in ("injured", "involved"):
                if rng.random() < miss and offset > 1:
                    continue
                status = "crossed" if offset in crossed else "kept"
                note = None
                if offset in crossed:
                    note = texts["notes"][f"crossed_{role}"]
                if offset in differ:
                    status = "crossed" if role == "injured" else "kept"
                    note = texts["notes"]["differ_injured"] if role == "injured" else None
                db.add(
                    BoundaryLog(
                        boundary_id=item.id,
                        partner_id=item.couple.partner(role).id,
                        period_start=day,
                        status=status,
                        note=note,
                        created_at=_at(day, 21),
                        updated_at=_at(day, 21),
                    )
                )
            day += timedelta(days=step)

    # Which boundaries have logs, over how many days, and on which days (counted back from
    # today) one was crossed or the partners' reports differ.
    history = {
        "willow_contact": {"days_ago": 19, "crossed": {12}},
        "willow_phones": {"days_ago": 17, "differ": {5}},
        "lantern_plans": {"days_ago": 79, "crossed": {40}},
        "lantern_evening": {"days_ago": 59},
    }
    by_label = {couple.label: couple for couple in (harbour, willow, lantern)}
    for spec in texts["boundaries"]:
        item = boundary(
            by_label[spec["couple"]],
            spec["text"],
            spec["consequence"],
            spec["period"],
            spec["days_ago"],
            status=spec.get("status", "active"),
            proposer=spec.get("proposer", "injured"),
        )
        if spec["name"] in history:
            kept = history[spec["name"]]
            logs(
                item,
                kept["days_ago"],
                crossed=kept.get("crossed", ()),
                differ=kept.get("differ", ()),
            )
    db.flush()


def add_demo_measures(db: Session, couples: list[Couple], clinician: User, today: date) -> None:
    """CSI-4 every two weeks for each couple, a PHQ-9 series for Willow with one reliable
    improvement, and the intake safety check answered by everyone (nothing worrying)."""
    from sqlalchemy import select

    from practice.measures.instruments import CSI4, PHQ9, score
    from practice.measures.library import SAFETY_SLUG, measure_slug
    from practice.models import MeasureScore, SafetyCheck

    library = {
        t.slug: t
        for t in db.scalars(select(ExerciseTemplate).where(ExerciseTemplate.owner_id.is_(None)))
    }

    def administer(couple, assignment, role, day, item_scores, instrument):
        answers = {}
        for item, wanted in zip(instrument.scored_items, item_scores, strict=True):
            answers[item.key] = next(label for label, value in item.options if value == wanted)
        if instrument is PHQ9:
            answers["difficulty"] = "Somewhat difficult"
        result = score(instrument, answers)
        partner = couple.partner(role)
        response = Response(
            assignment_id=assignment.id,
            occurrence_on=day,
            slot=role,
            partner_id=partner.id,
            version_id=assignment.template.latest.id,
            answers=answers,
            status="submitted",
            revision=1,
            visibility="clinician",
            submitted_at=_at(day, 20),
            created_at=_at(day, 20),
            updated_at=_at(day, 20),
            reviewed_at=_at(day + timedelta(days=1), 9),
            reviewed_by_id=couple.clinician_id,
        )
        db.add(response)
        db.flush()
        db.add(
            MeasureScore(
                response_id=response.id,
                couple_id=couple.id,
                partner_id=partner.id,
                role=role,
                instrument=instrument.key,
                administered_on=day,
                total=result.total,
                band=result.band,
                band_rank=result.band_rank,
                self_harm_item=result.self_harm_item,
            )
        )

    # (weeks of history, injured CSI-4 totals per fortnight, involved totals)
    plans = {
        couples[0]: (
            4,
            [(1, 1, 1, 1), (2, 1, 1, 2), (2, 2, 1, 2)],
            [(3, 2, 2, 2), (3, 2, 3, 2), (3, 3, 3, 2)],
        ),
        couples[1]: (
            12,
            [
                (1, 1, 1, 1),
                (1, 2, 1, 1),
                (2, 2, 2, 1),
                (2, 2, 2, 2),
                (2, 3, 2, 2),
                (3, 2, 3, 2),
                (3, 3, 3, 3),
            ],
            [
                (2, 2, 2, 2),
                (3, 2, 2, 2),
                (3, 3, 2, 3),
                (3, 3, 3, 3),
                (3, 3, 3, 3),
                (4, 3, 3, 3),
                (4, 4, 3, 3),
            ],
        ),
        couples[2]: (
            12,
            [
                (3, 2, 3, 2),
                (3, 3, 3, 2),
                (3, 3, 3, 3),
                (2, 2, 2, 2),
                (3, 3, 3, 3),
                (4, 3, 3, 3),
                (4, 4, 3, 4),
            ],
            [
                (3, 3, 3, 3),
                (4, 3, 3, 3),
                (4, 3, 4, 3),
                (3, 3, 3, 3),
                (4, 4, 3, 4),
                (4, 4, 4, 4),
                (4, 4, 4, 4),
            ],
        ),
    }
    for couple, (weeks, injured, involved) in plans.items():
        start = today - timedelta(weeks=weeks)
        csi = _assignment(
            db,
            couple,
            library[measure_slug(CSI4)],
            clinician,
            schedule="weekly",
            weekdays=weekday_mask([start.weekday()]),
            start_on=start,
        )
        days = [start + timedelta(weeks=2 * n) for n in range(len(injured))]
        for day, a, b in zip(days, injured, involved, strict=True):
            if day <= today:
                administer(couple, csi, "injured", day, a, CSI4)
                administer(couple, csi, "involved", day, b, CSI4)
        safety = _assignment(
            db,
            couple,
            library[SAFETY_SLUG],
            clinician,
            schedule="once",
            start_on=start,
            due_on=start + timedelta(days=3),
        )
        for role in ("injured", "involved"):
            partner = couple.partner(role)
            answers = {
                "afraid": False,
                "threatened": False,
                "pressured": False,
                "hurt": False,
                "safe_at_home": True,
                "anything_else": "",
            }
            response = Response(
                assignment_id=safety.id,
                occurrence_on=safety.due_on,
                slot=role,
                partner_id=partner.id,
                version_id=safety.template.latest.id,
                answers=answers,
                status="submitted",
                revision=1,
                visibility="clinician",
                submitted_at=_at(start + timedelta(days=1), 19),
            )
            db.add(response)
            db.flush()
            db.add(
                SafetyCheck(
                    response_id=response.id,
                    couple_id=couple.id,
                    partner_id=partner.id,
                    role=role,
                    checked_on=start + timedelta(days=1),
                    worrying=False,
                    worries="",
                )
            )
    willow = couples[1]
    start = today - timedelta(weeks=12)
    phq = _assignment(
        db,
        willow,
        library[measure_slug(PHQ9)],
        clinician,
        schedule="weekly",
        weekdays=weekday_mask([start.weekday()]),
        start_on=start,
    )
    # The injured partner's depression eases from moderately severe to mild: a reliable change.
    series = [
        (2, 2, 2, 2, 1, 2, 2, 1, 0),
        (2, 2, 2, 2, 1, 1, 1, 1, 0),
        (1, 2, 1, 2, 1, 1, 1, 1, 0),
        (1, 1, 1, 1, 1, 1, 1, 0, 0),
        (1, 1, 1, 1, 0, 1, 1, 0, 0),
    ]
    for n, items in enumerate(series):
        day = start + timedelta(weeks=3 * n)
        if day <= today:
            administer(willow, phq, "injured", day, items, PHQ9)
    db.flush()
