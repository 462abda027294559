"""The built-in exercise library: ready-made worksheets for each of the seven stages.

Every entry is a plain definition dict (see definitions.py) plus a "slug" that names it for
good and a "revision" that goes up by one whenever its text or fields change, so existing
installations can tell when a built-in exercise has a newer version.

DEFAULT_STAGE_PLANS suggests, for each stage, which exercises to offer a couple and how often.
A clinician reviews each plan before anything reaches the couple.

The words matter here: people reading these pages are in pain. We always say "injured partner"
and "involved partner", keep sentences short and plain, and never blame.
"""

from __future__ import annotations

import copy
from inspect import cleandoc
from typing import Any

LIBRARY_VERSION = 1

TEXT_LIMIT = 4_000
LETTER_LIMIT = 20_000
QUESTION_LIMIT = 1_000


# --- small builders, so each exercise below reads like the worksheet it is ---------------------


def _md(text: str) -> str:
    """Markdown written as an indented triple-quoted string, with the indent removed."""
    return cleandoc(text)


def _short(key: str, label: str, *, help: str = "", required: bool = False) -> dict[str, Any]:
    field: dict[str, Any] = {"key": key, "label": label, "kind": "short_text", "max_length": 300}
    if help:
        field["help"] = help
    if required:
        field["required"] = True
    return field


def _long(
    key: str,
    label: str,
    *,
    help: str = "",
    required: bool = False,
    max_length: int = TEXT_LIMIT,
    for_role: str | None = None,
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "key": key,
        "label": label,
        "kind": "long_text",
        "max_length": max_length,
    }
    if help:
        field["help"] = help
    if required:
        field["required"] = True
    if for_role:
        field["for"] = for_role
    return field


def _scale(
    key: str,
    label: str,
    min_label: str,
    max_label: str,
    *,
    help: str = "",
    required: bool = True,
    tracked: bool = False,
    lower_is_better: bool = False,
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "key": key,
        "label": label,
        "kind": "scale",
        "min": 0,
        "max": 10,
        "min_label": min_label,
        "max_label": max_label,
    }
    if help:
        field["help"] = help
    if required:
        field["required"] = True
    if tracked:
        field["tracked"] = True
    if lower_is_better:
        field["lower_is_better"] = True
    return field


def _choice(
    key: str,
    label: str,
    options: list[str],
    *,
    multi: bool = False,
    help: str = "",
    required: bool = False,
) -> dict[str, Any]:
    field: dict[str, Any] = {
        "key": key,
        "label": label,
        "kind": "multi_choice" if multi else "single_choice",
        "options": list(options),
    }
    if help:
        field["help"] = help
    if required:
        field["required"] = True
    return field


def _yes_no(key: str, label: str, *, help: str = "", required: bool = False) -> dict[str, Any]:
    field: dict[str, Any] = {"key": key, "label": label, "kind": "yes_no"}
    if help:
        field["help"] = help
    if required:
        field["required"] = True
    return field


def _date(key: str, label: str, *, help: str = "", required: bool = False) -> dict[str, Any]:
    field: dict[str, Any] = {"key": key, "label": label, "kind": "date"}
    if help:
        field["help"] = help
    if required:
        field["required"] = True
    return field


def _exercise(
    slug: str,
    title: str,
    stage: int,
    *,
    answered_by: str,
    visibility: str,
    purpose: str,
    instructions: str,
    fields: list[dict[str, Any]],
    visibility_locked: bool = False,
    recurrence: str | None = None,
    revision: int = 1,
) -> dict[str, Any]:
    return {
        "slug": slug,
        "revision": revision,
        "title": title,
        "stage": stage,
        "purpose": _md(purpose),
        "instructions": _md(instructions),
        "answered_by": answered_by,
        "visibility": visibility,
        "visibility_locked": visibility_locked,
        "recurrence": recurrence,
        "fields": fields,
    }


# --- stage 1: acknowledging the hurt -----------------------------------------------------------

_FEELINGS = (
    ("anger", "Anger", "No anger", "As strong as it gets", ""),
    ("sadness", "Sadness", "No sadness", "As strong as it gets", ""),
    ("confusion", "Confusion", "Things feel clear", "Nothing makes sense", ""),
    ("fear", "Fear", "No fear", "As strong as it gets", ""),
    (
        "shame",
        "Shame",
        "No shame",
        "As strong as it gets",
        "Shame can show up even when you did nothing wrong.",
    ),
    (
        "numbness",
        "Numbness",
        "Not numb at all",
        "I feel nothing at all",
        "Feeling flat or far away is a common way the mind protects itself.",
    ),
    ("hope", "Hope", "No hope right now", "A lot of hope", "It is fine if this is low today."),
)

STAGE_1 = (
    _exercise(
        "feelings-inventory",
        "How I am feeling right now",
        1,
        answered_by="injured",
        visibility="clinician",
        purpose="""
            After a betrayal, feelings can change from one hour to the next.
            This is a quiet moment to notice where you are today.

            There are no right or wrong answers.
            """,
        instructions="""
            Move each scale to where you are right now, not where you think you should be.

            - 0 means you do not feel this at all.
            - 10 means the feeling is as strong as it gets.

            Only your clinician sees this, unless you choose to share it.
            It helps them understand what you are carrying before you meet.
            """,
        fields=[
            _scale(key, label, low, high, help=help) for key, label, low, high, help in _FEELINGS
        ]
        + [
            _long(
                "anything_else",
                "Anything else you want your clinician to know",
                help="Optional. A few words are enough.",
            )
        ],
    ),
    _exercise(
        "what-i-need-you-to-understand",
        "What I need you to understand",
        1,
        answered_by="injured",
        visibility="clinician",
        purpose="""
            This is a letter to your partner about how the affair has affected you.
            Writing it first, in your own time, can make it easier to say out loud later.
            """,
        instructions="""
            Write as much or as little as you like. You might write about:

            - the hardest moments so far
            - what has changed in how you see yourself, your partner or your life together
            - what you most need your partner to truly understand

            You do not need to be fair, calm or tidy.

            Your clinician reads it first. Together you will decide whether, when and how
            to share it with your partner.
            """,
        fields=[
            _long("letter", "My letter", required=True, max_length=LETTER_LIMIT),
            _short(
                "most_important",
                "The one thing I most need understood",
                help="Optional. If you could say only one thing, what would it be?",
            ),
            _choice(
                "how_to_use",
                "How I would like this letter to be used",
                [
                    "Read it together in session",
                    "Only my clinician reads it for now",
                    "I am not sure yet",
                ],
            ),
        ],
    ),
    _exercise(
        "listening-reflection",
        "Listening and reflecting",
        1,
        answered_by="involved",
        visibility="clinician",
        purpose="""
            Your partner has shared how much they are hurting.
            This exercise helps you slow down and take it in before you respond.
            """,
        instructions="""
            Write what you heard, in your own words.

            Try not to explain, defend or fix anything here. The aim is to show that you
            understand, not to be understood.

            If a question comes up, write it down gently. Your clinician will help you
            decide whether now is the right time to ask it.
            """,
        fields=[
            _long("what_i_heard", "What I heard", required=True),
            _long(
                "what_i_understand",
                "What I understand about the hurt",
                help="What your partner is living with because of what happened.",
            ),
            _long(
                "careful_question",
                "What I want to ask, carefully",
                help="Optional. A question that comes from care, not from wanting to explain.",
            ),
        ],
    ),
    _exercise(
        "hard-moments-plan",
        "Getting through the hardest moments",
        1,
        answered_by="each",
        visibility="clinician",
        purpose="""
            Painful moments can arrive without warning: a song, a place, a date,
            a phone lighting up. A small plan, made on a calmer day, can help you
            get through them.
            """,
        instructions="""
            Each of you fills this in on your own.

            The injured partner is carrying the deepest hurt right now. The involved partner
            may be struggling too, in a different way. Your clinician will hold both, without
            comparing them.

            Keep it simple. A plan you can remember is better than a perfect one.
            """,
        fields=[
            _long("what_brings_it_back", "What tends to bring the pain back"),
            _long("what_steadies_me", "What helps me steady myself", required=True),
            _long("who_i_can_reach", "Someone I can reach out to"),
            _long(
                "what_i_need_from_partner",
                "What I would like from my partner in those moments",
            ),
            _scale(
                "steadiness",
                "How steady I feel on most days",
                "Not steady at all",
                "Very steady",
            ),
        ],
    ),
)


# --- stage 2: full accountability --------------------------------------------------------------

STAGE_2 = (
    _exercise(
        "accountability-letter",
        "Accountability letter",
        2,
        answered_by="involved",
        visibility="clinician",
        purpose="""
            This letter is where you take full responsibility for what you did and for
            the hurt it caused.

            It is not about explaining why. It is about owning what happened.
            """,
        instructions="""
            Write in your own words. These can help:

            - Name what you did, plainly.
            - Name the hurt it caused, as your partner has described it.
            - Say what you are doing now, and will keep doing, to make things safer.

            Leave out excuses, reasons that point back at your partner, and the word "but".

            When you are done, read it back slowly and use the check below.
            Your clinician reads it before it is shared.
            """,
        fields=[
            _long("letter", "My letter", required=True, max_length=LETTER_LIMIT),
            _choice(
                "self_check",
                "Before sharing it, I checked my letter for",
                ["No excuses", "No minimising", "No blame-shifting", "No conditions"],
                multi=True,
                help=(
                    "Tick each one you are sure of. If one is hard to tick, "
                    "that is worth talking about with your clinician."
                ),
            ),
            _yes_no("ready_for_session", "I am ready for this to be read in session"),
        ],
    ),
    _exercise(
        "what-i-heard",
        "What I heard in your letter",
        2,
        answered_by="injured",
        visibility="clinician",
        purpose="""
            Your partner's accountability letter has been read.
            This is your space to respond, in your own time.
            """,
        instructions="""
            You do not have to respond right away, and you do not have to be generous.
            Write what is true for you.

            It can help to think about three things:

            - what you heard
            - what reached you
            - what still feels missing

            What is missing matters just as much as what landed.
            Your clinician reads this first, and you can choose to share it.
            """,
        fields=[
            _long("what_i_heard", "What I heard", required=True),
            _long("what_landed", "What landed with me"),
            _long("still_missing", "What is still missing"),
            _scale(
                "feeling_heard",
                "How much I feel my hurt was understood",
                "Not at all",
                "Completely",
                required=False,
            ),
        ],
    ),
    _exercise(
        "noticing-defensiveness",
        "Noticing when I get defensive",
        2,
        answered_by="involved",
        visibility="clinician",
        recurrence="weekly",
        purpose="""
            Feeling defensive is a very human reaction. But it can leave your partner
            feeling unheard all over again.

            Noticing it is the first step to doing something different.
            """,
        instructions="""
            Think back over the past week. Pick one moment when you felt the urge to
            explain, correct or defend yourself.

            Write about it honestly. There is no grade here, and no one expects perfect.
            """,
        fields=[
            _long("the_moment", "The moment", required=True),
            _long("what_i_felt", "What I felt inside"),
            _long("what_i_did", "What I said or did"),
            _long("what_i_could_say", "What I could say instead next time"),
            _scale(
                "staying_open",
                "How well I stayed open this week",
                "Not at all",
                "Completely",
                tracked=True,
            ),
        ],
    ),
)


# --- stage 3: honest conversations and check-ins -----------------------------------------------


def _question_pair(number: int) -> list[dict[str, Any]]:
    return [
        _long(
            f"question_{number}",
            f"Question {number}",
            max_length=QUESTION_LIMIT,
            for_role="injured",
            help="Ask what you truly need to know. You can add why it matters to you.",
        ),
        _long(
            f"answer_{number}",
            f"Answer to question {number}",
            for_role="involved",
            help="Answer honestly and simply. If you do not know, say so.",
        ),
    ]


STAGE_3 = (
    _exercise(
        "question-exchange",
        "Question exchange",
        3,
        answered_by="together",
        visibility="shared",
        visibility_locked=True,
        purpose="""
            Questions often keep coming for a long time. Asking them, and getting honest
            answers, is part of rebuilding trust.

            This worksheet gives your questions a calm and safe place.
            """,
        instructions="""
            This is one worksheet you share.

            1. The injured partner writes up to three questions.
            2. The involved partner answers each one honestly and plainly.
            3. Together, mark any question that needs more time in session.

            Some details can hurt more than they help. If you are unsure about a question,
            mark it for the session. Asking with your clinician in the room is not a failure.
            It keeps both of you safe.
            """,
        fields=_question_pair(1)
        + _question_pair(2)
        + _question_pair(3)
        + [
            _choice(
                "needs_session",
                "Questions to talk through in session",
                [
                    "Question 1 needs the session",
                    "Question 2 needs the session",
                    "Question 3 needs the session",
                ],
                multi=True,
            )
        ],
    ),
    _exercise(
        "transparency-agreement",
        "Transparency agreement",
        3,
        answered_by="each",
        visibility="mutual",
        purpose="""
            Transparency means choosing to be open, so trust has something to stand on.
            This agreement writes down what each of you is willing to share, and how.
            """,
        instructions="""
            Each of you fills this in. You will see each other's answers once you have
            both sent yours.

            The injured partner may want a lot of openness at first. That is understandable.
            Openness that the involved partner offers freely, without being asked twice,
            helps trust grow back.

            Everything here is shared by choice, and it is self-reported: you write down
            what you agree to do. Mend never tracks anyone's location, phone or devices.

            If being asked for openness ever feels unsafe or controlling, tell your
            clinician privately.
            """,
        fields=[
            _long(
                "scope",
                "What this agreement covers",
                required=True,
                help=(
                    "For example: phones, email, social media, work travel, "
                    "or any contact with the other person."
                ),
            ),
            _long("accounts_shared", "Passwords and accounts I choose to share"),
            _long("whereabouts_shared", "Where I will be, and the schedules I choose to share"),
            _long(
                "how_updates",
                "How and when I will give updates",
                help="For example: a message if plans change, or a short talk each evening.",
            ),
            _choice(
                "review_rhythm",
                "How often we go over this together",
                ["Every day", "A few times a week", "Once a week", "Only in session"],
            ),
            _date("review_date", "When we will review this agreement"),
        ],
    ),
    _exercise(
        "daily-check-in",
        "Daily check-in",
        3,
        answered_by="each",
        visibility="shared",
        recurrence="daily",
        purpose="""
            A short check-in each day helps you both see how things are really going,
            without having to start a big conversation.
            """,
        instructions="""
            Take two minutes. Move each scale to how today actually feels.
            Then add a few words if you want to.

            - The scales show change over time. One hard day is not a step backwards.
            - Write only what you are comfortable sharing. Your partner sees your check-in.

            If you would rather keep a check-in just for your clinician, you can change
            who sees it.
            """,
        fields=[
            _scale("trust", "Trust today", "No trust at all", "Complete trust", tracked=True),
            _scale(
                "emotional_safety",
                "Feeling emotionally safe",
                "Not safe at all",
                "Completely safe",
                tracked=True,
            ),
            _scale("connection", "Feeling connected", "Very distant", "Very close", tracked=True),
            _scale(
                "distress", "Distress", "Calm", "Overwhelmed", tracked=True, lower_is_better=True
            ),
            _long("need_now", "What I need right now"),
            _long("positive_change", "A positive change I noticed", for_role="injured"),
            _long("repair_action", "A repair action I took", for_role="involved"),
        ],
    ),
    _exercise(
        "weekly-honest-talk",
        "Our weekly honest talk",
        3,
        answered_by="each",
        visibility="mutual",
        recurrence="weekly",
        purpose="""
            Many couples find it easier to have one planned, honest talk each week
            than to wait for a hard moment to force one.
            """,
        instructions="""
            Fill this in before or after your weekly talk. Each of you writes on your own,
            and you see each other's answers once you have both sent yours.

            Be kind and be honest. Both are possible at the same time.
            """,
        fields=[
            _long("went_well", "What went well in how we talked this week"),
            _long("hard_to_say", "Something that was hard to say, or that I held back"),
            _long("next_topic", "One thing I would like us to talk about next"),
            _scale(
                "felt_heard",
                "How heard I felt this week",
                "Not heard at all",
                "Fully heard",
                tracked=True,
            ),
        ],
    ),
)


# --- stage 4: new boundaries and expectations --------------------------------------------------


def _boundary_group(number: int, *, required: bool) -> list[dict[str, Any]]:
    return [
        _long(
            f"boundary_{number}",
            f"Boundary {number}",
            required=required,
            help="Say it plainly and specifically, so you will both know when it is kept.",
        ),
        _long(
            f"consequence_{number}",
            f"If boundary {number} is not kept, what happens",
            help="A fair step you can both accept. It is about safety, not punishment.",
        ),
        _choice(
            f"check_{number}",
            f"How often we check in on boundary {number}",
            ["Daily", "Weekly"],
        ),
    ]


STAGE_4 = (
    _exercise(
        "boundary-proposal",
        "Boundary proposal",
        4,
        answered_by="each",
        visibility="mutual",
        purpose="""
            Boundaries are clear agreements that help the relationship feel safe again.
            They are not punishments. They give trust a shape while it grows back.
            """,
        instructions="""
            Each of you can propose up to three boundaries.

            At first, the injured partner usually proposes most of them. That is expected:
            they need to feel safe again. The involved partner can propose boundaries too.

            For each boundary, suggest what should happen if it is not kept, and how often
            you will check in on it. Nothing here is final. You will talk through every
            proposal and agree on it together in session, including the consequences.

            Boundaries can change. As trust grows, you will review them and adjust them
            together.
            """,
        fields=_boundary_group(1, required=True)
        + _boundary_group(2, required=False)
        + _boundary_group(3, required=False)
        + [_date("review_date", "When we will review these boundaries")],
    ),
    _exercise(
        "expectations-for-the-next-month",
        "Expectations for the next month",
        4,
        answered_by="each",
        visibility="mutual",
        purpose="""
            Clear, realistic expectations help you both know what you can count on.
            A month is long enough to see change, and short enough to adjust.
            """,
        instructions="""
            Keep expectations small and specific. "Tell me if you will be home late" is
            easier to keep, and easier to see kept, than "be more open".

            Each of you writes your own. You see each other's answers once you have both
            sent yours, and you will settle them together in session.
            """,
        fields=[
            _long("what_i_will_do", "What I will do this month", required=True),
            _long("what_i_hope_for", "What I hope my partner will do"),
            _long("what_helps_safety", "What would help me feel a little safer"),
            _long("too_soon", "What feels too soon for now"),
            _scale(
                "confidence",
                "How confident I feel about this month",
                "Not confident at all",
                "Very confident",
                required=False,
            ),
        ],
    ),
    _exercise(
        "when-a-boundary-feels-hard",
        "When a boundary feels hard",
        4,
        answered_by="each",
        visibility="clinician",
        purpose="""
            Some boundaries will feel hard to keep, or hard to rely on. That is normal.
            Saying so early is far better than letting things slip quietly.
            """,
        instructions="""
            Either of you can use this, whenever you need it.

            The injured partner may find that a boundary does not bring the safety they
            hoped for. The involved partner may find one hard to keep. Both are worth
            talking about.

            Until you agree on a change in session, the boundary stays as it is.
            Only your clinician sees this, unless you choose to share it.
            """,
        fields=[
            _short("which_boundary", "Which boundary", required=True),
            _long("what_makes_it_hard", "What makes it hard"),
            _long("what_i_did", "What I did when it felt hard"),
            _long("what_would_help", "What would help"),
            _yes_no("talk_about_change", "I would like to talk about changing it in session"),
        ],
    ),
)


# --- stage 5: professional support -------------------------------------------------------------

STAGE_5 = (
    _exercise(
        "support-plan",
        "My support plan",
        5,
        answered_by="each",
        visibility="clinician",
        purpose="""
            Couples work is one part of healing. Each of you also deserves support of your
            own: people and places that can hold you while you do this hard work.
            """,
        instructions="""
            Fill this in on your own. Be honest about what you have and what is missing.
            Your clinician can help you find options.

            If you ever feel unsafe, or have thoughts of harming yourself, contact a crisis
            line or emergency services straight away. You do not need to wait for your
            next session.
            """,
        fields=[
            _long(
                "individual_therapy",
                "Individual therapy",
                help="Do you have, or want, a therapist of your own? What would help most?",
            ),
            _long(
                "group_support",
                "Group support",
                help="For example, a group for people going through something similar.",
            ),
            _long(
                "trusted_people",
                "People I trust",
                help="One or two people who can listen without taking sides.",
            ),
            _long(
                "crisis_contacts",
                "Who I can reach in a crisis",
                help="A crisis line in your area, and anyone you can call at any hour.",
            ),
            _long(
                "support_this_week",
                "What support I will ask for this week",
                required=True,
            ),
        ],
    ),
    _exercise(
        "finding-the-right-support",
        "Finding the right support",
        5,
        answered_by="each",
        visibility="clinician",
        purpose="""
            Asking for help can feel exposing, especially when something so private has
            happened. This worksheet helps you think about what kind of support would fit you.
            """,
        instructions="""
            There is no wrong answer. Many people use more than one kind of support,
            and needs change over time.

            Pick one small first step. Small steps are the ones that get taken.
            """,
        fields=[
            _long("what_i_need_help_with", "What I would like help with"),
            _long("what_makes_it_hard", "What makes asking for help hard for me"),
            _choice(
                "kinds_of_support",
                "Kinds of support I am open to",
                [
                    "Individual therapy",
                    "A support group",
                    "A trusted friend or family member",
                    "Faith or community support",
                    "Books or online resources",
                    "I am not sure yet",
                ],
                multi=True,
            ),
            _short("first_step", "One small first step I can take", required=True),
        ],
    ),
    _exercise(
        "after-a-session",
        "After our session",
        5,
        answered_by="each",
        visibility="clinician",
        recurrence="weekly",
        purpose="""
            Sessions can stir up a lot. A few notes afterwards help you keep what was useful,
            and let your clinician know what was hard.
            """,
        instructions="""
            Write this soon after a session, while it is fresh. A few words are enough.

            Only your clinician sees this, unless you choose to share it.
            """,
        fields=[
            _long("taking_away", "What I am taking away"),
            _long("was_hard", "What was hard"),
            _scale(
                "session_safety",
                "How safe I felt in the session",
                "Not safe at all",
                "Completely safe",
                tracked=True,
            ),
            _long("next_time", "What I would like to talk about next time"),
        ],
    ),
)


# --- stage 6: rebuilding intimacy --------------------------------------------------------------

STAGE_6 = (
    _exercise(
        "connection-moments",
        "Connection moments",
        6,
        answered_by="each",
        visibility="clinician",
        recurrence="weekly",
        purpose="""
            Closeness comes back in small moments: a walk, a meal, a hand on a shoulder,
            a real conversation. This log helps you notice those moments, and how they felt.
            """,
        instructions="""
            Once a week, write about one moment of connection. It can be very small.

            The injured partner sets the pace. Nothing here is a target to reach.
            If a moment felt like too much, too soon, that is important to write down.
            Going slower is always allowed.

            Only your clinician sees this, unless you choose to share it.
            """,
        fields=[
            _long("what_we_did", "What we did", required=True),
            _scale(
                "comfort",
                "How comfortable I felt",
                "Not comfortable at all",
                "Completely comfortable",
                tracked=True,
            ),
            _long("what_made_it_easier", "What made it easier"),
            _long("what_made_it_harder", "What made it harder"),
        ],
    ),
    _exercise(
        "pace-agreement",
        "Our pace agreement",
        6,
        answered_by="each",
        visibility="mutual",
        purpose="""
            Closeness grows back best slowly, and at the injured partner's pace.
            This agreement helps you both understand that pace, and how to pause without hurt.
            """,
        instructions="""
            Each of you fills this in on your own. You see each other's answers once you
            have both sent yours, and then you talk it through in session.

            - The injured partner describes the pace that feels right for now.
            - The involved partner describes how they will notice and respect it.

            A pause is not a rejection. It keeps closeness safe, so it can grow.
            """,
        fields=[
            _long("pace_feels_right", "What pace feels right to me now", required=True),
            _long("slow_down_signals", "Signs that we need to slow down"),
            _long("pause_kindly", "How we can pause kindly"),
            _long("after_a_pause", "What helps after a pause"),
            _long(
                "respecting_the_pace",
                "How I will notice and respect my partner's pace",
                for_role="involved",
            ),
        ],
    ),
    _exercise(
        "small-steps-toward-closeness",
        "Small steps toward closeness",
        6,
        answered_by="each",
        visibility="clinician",
        purpose="""
            Closeness can feel like a very big word right now. Breaking it into small steps
            can make it feel possible, without rushing anything.
            """,
        instructions="""
            Think of kinds of closeness, from the gentlest to the ones that feel far away.
            Then notice how ready you feel today.

            The injured partner's readiness sets the pace. The involved partner's answers
            still matter: they show what is important to you, without asking for anything.

            Only your clinician sees this, unless you choose to share it.
            """,
        fields=[
            _long("gentle_steps", "Gentle steps that feel possible now"),
            _long("later_steps", "Steps for later"),
            _long("not_for_now", "Things that are not for now"),
            _scale(
                "readiness",
                "How ready I feel for more closeness",
                "Not ready at all",
                "Very ready",
            ),
        ],
    ),
    _exercise(
        "what-closeness-means-to-me",
        "What closeness means to me",
        6,
        answered_by="each",
        visibility="mutual",
        purpose="""
            Each of you may picture closeness a little differently.
            Putting it into words helps you understand each other.
            """,
        instructions="""
            There are no right answers.

            Start with emotional closeness: feeling listened to, understood and cared for.
            Physical closeness can come later, when the injured partner is ready.

            You see each other's answers once you have both sent yours.
            """,
        fields=[
            _long("when_i_feel_close", "When I feel close to you"),
            _long("feel_cared_for", "Small things that help me feel cared for"),
            _long("what_i_miss", "What I miss about us"),
            _long("hope_for", "What I hope closeness can look like one day"),
        ],
    ),
)


# --- stage 7: daily repair ---------------------------------------------------------------------

STAGE_7 = (
    _exercise(
        "daily-repair-log",
        "Daily repair log",
        7,
        answered_by="involved",
        visibility="clinician",
        recurrence="daily",
        purpose="""
            Trust is rebuilt in small, steady actions, day after day.
            This log helps you stay consistent, and honest with yourself.
            """,
        instructions="""
            Each day, write down one small action you took to help repair trust.
            Small is fine. Doing it every day matters more than doing something big.

            This is not a scorecard, and it is not about earning credit.
            It is a way to keep your word in view.
            """,
        fields=[
            _long(
                "small_action",
                "A small action I took today",
                required=True,
                help="For example: I told my partner about my day before being asked.",
            ),
            _long("follow_through", "How I followed through"),
            _yes_no("did_what_i_said", "I did what I said I would", required=True),
        ],
    ),
    _exercise(
        "positive-change-log",
        "Positive changes I noticed",
        7,
        answered_by="injured",
        visibility="shared",
        recurrence="weekly",
        purpose="""
            After being hurt, the mind watches closely for danger. That is natural.
            This log gently invites you to also notice what is getting better.
            """,
        instructions="""
            Once a week, write about one positive change you noticed, however small.
            You do not have to feel better to notice it.

            Noticing a change does not mean the hurt is over, or that you have to forgive.
            Both can be true at once.

            Your partner sees this log, unless you choose to keep an entry just for your
            clinician.
            """,
        fields=[
            _long("positive_change", "A positive change I noticed", required=True),
            _scale(
                "noticed_change",
                "How much it helped",
                "Not at all",
                "A great deal",
                tracked=True,
            ),
            _long("still_hard", "Something that is still hard"),
        ],
    ),
    _exercise(
        "weekly-repair-review",
        "Our week in review",
        7,
        answered_by="each",
        visibility="mutual",
        recurrence="weekly",
        purpose="""
            Looking back on the week together helps you see progress that is easy to miss
            from one day to the next.
            """,
        instructions="""
            Each of you writes on your own. You see each other's answers once you have both
            sent yours.

            Keep it short. Name one thing that helped, and one small thing to try next.
            """,
        fields=[
            _long("went_well", "What went well this week"),
            _long("keep_doing", "One thing I want us to keep doing"),
            _long("try_next", "One small thing to try next week"),
            _scale(
                "week_overall",
                "How this week felt overall",
                "Very hard",
                "Really good",
                tracked=True,
            ),
        ],
    ),
    _exercise(
        "looking-back-looking-ahead",
        "Looking back, looking ahead",
        7,
        answered_by="each",
        visibility="mutual",
        purpose="""
            Recovery is not a straight line. Pausing to see how far you have come, and what
            still needs care, helps you protect what you have rebuilt.
            """,
        instructions="""
            Take your time with this one. Each of you writes on your own, and you see each
            other's answers once you have both sent yours.

            It is fine if some hurt is still there. Healing and hurt can live side by side.
            """,
        fields=[
            _long("how_far", "How far we have come"),
            _long("still_needs_care", "What still hurts or needs care"),
            _long("want_to_protect", "What I want to protect in our relationship"),
            _long("early_signs", "Early signs that we need extra support again"),
            _long("commitment", "One commitment I am making", required=True),
        ],
    ),
)


LIBRARY: tuple[dict[str, Any], ...] = (
    STAGE_1 + STAGE_2 + STAGE_3 + STAGE_4 + STAGE_5 + STAGE_6 + STAGE_7
)


# --- default stage plans -----------------------------------------------------------------------

MONDAY, FRIDAY, SUNDAY = 0, 4, 6


def _once(
    slug: str, answered_by: str, due_in_days: int, *, consent: bool = False
) -> dict[str, Any]:
    return {
        "slug": slug,
        "answered_by": answered_by,
        "schedule": "once",
        "weekdays": (),
        "due_in_days": due_in_days,
        "needs_injured_consent": consent,
    }


def _daily(slug: str, answered_by: str, *, consent: bool = False) -> dict[str, Any]:
    return {
        "slug": slug,
        "answered_by": answered_by,
        "schedule": "daily",
        "weekdays": (),
        "due_in_days": 0,
        "needs_injured_consent": consent,
    }


def _weekly(
    slug: str, answered_by: str, weekdays: tuple[int, ...], *, consent: bool = False
) -> dict[str, Any]:
    return {
        "slug": slug,
        "answered_by": answered_by,
        "schedule": "weekly",
        "weekdays": weekdays,
        "due_in_days": 0,
        "needs_injured_consent": consent,
    }


DEFAULT_STAGE_PLANS: dict[int, tuple[dict[str, Any], ...]] = {
    1: (
        _once("feelings-inventory", "injured", 7),
        _once("hard-moments-plan", "each", 7),
        _once("what-i-need-you-to-understand", "injured", 14),
        _once("listening-reflection", "involved", 21),
    ),
    2: (
        _once("accountability-letter", "involved", 14),
        _once("what-i-heard", "injured", 28),
        _weekly("noticing-defensiveness", "involved", (FRIDAY,)),
    ),
    3: (
        _daily("daily-check-in", "each"),
        _once("question-exchange", "together", 7),
        _once("transparency-agreement", "each", 14),
        _weekly("weekly-honest-talk", "each", (SUNDAY,)),
    ),
    4: (
        _once("boundary-proposal", "each", 7),
        _once("expectations-for-the-next-month", "each", 14),
        _daily("daily-check-in", "each"),
    ),
    5: (
        _once("support-plan", "each", 7),
        _once("finding-the-right-support", "each", 14),
        _weekly("after-a-session", "each", (MONDAY,)),
        _daily("daily-check-in", "each"),
    ),
    6: (
        _once("pace-agreement", "each", 7, consent=True),
        _weekly("connection-moments", "each", (SUNDAY,), consent=True),
        _once("what-closeness-means-to-me", "each", 14, consent=True),
        _daily("daily-check-in", "each"),
    ),
    7: (
        _daily("daily-repair-log", "involved"),
        _weekly("positive-change-log", "injured", (SUNDAY,)),
        _weekly("weekly-repair-review", "each", (SUNDAY,)),
        _daily("daily-check-in", "each"),
    ),
}


def library_by_slug() -> dict[str, dict[str, Any]]:
    """Every built-in exercise by its slug; copies, so callers may change them freely."""
    return {entry["slug"]: copy.deepcopy(entry) for entry in LIBRARY}
