"""The PTSD Checklist for DSM-5 (PCL-5), in the US Department of Veterans Affairs' wording.

Betrayed partners are often traumatised: in an online sample of 112 people betrayed by a
partner's infidelity, 73.9 % scored in the clinical range on the PCL-5 (issue 19's research).

Wording: the VA National Center for PTSD's PCL-5 form, "PCL-5 (11 April 2018) National Center
for PTSD", reference Weathers, F. W., Litz, B. T., Keane, T. M., Palmieri, P. A., Marx, B. P., &
Schnurr, P. P. (2013). The PTSD Checklist for DSM-5 (PCL-5) - Standard [Measurement instrument].
Available from https://www.ptsd.va.gov/professional/assessment/adult-sr/ptsd-checklist.asp.
The instructions, the stem and items 1-9 were checked against a transcript of that form
(fill.io, "PTSD Checklist for DSM-5 (PCL-5) - Fillable Form"); items 10-20 against reproductions
of the same form (epavt.org's guide, page 17, and research data dictionaries) that agree word
for word. README "Outcomes" says so; compare with the VA's PDF before relying on it.

Public domain (a work of the US Department of Veterans Affairs). Scoring: the sum of the twenty
items, 0-80. The VA calls a cut-point of 31-33 provisional; Mend shows it as provisional. No
published missing-item rule could be found from here, so every item must be answered (the form
says so plainly) rather than prorated.
"""

from __future__ import annotations

from practice.measures.instruments import Band, Instrument, Item

PCL_OPTIONS = (
    ("Not at all", 0),
    ("A little bit", 1),
    ("Moderately", 2),
    ("Quite a bit", 3),
    ("Extremely", 4),
)

INSTRUCTIONS = (
    "Below is a list of problems that people sometimes have in response to a very stressful "
    "experience. Please read each problem carefully and then circle one of the numbers to the "
    "right to indicate how much you have been bothered by that problem in the past month."
)
STEM = "In the past month, how much were you bothered by:"

_ITEMS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one can "
    "be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
    "have loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)

PCL5 = Instrument(
    key="pcl5",
    short_name="PCL-5",
    name="PTSD Checklist for DSM-5 (PCL-5)",
    stem=f"{INSTRUCTIONS}\n\n{STEM}",
    items=tuple(Item(f"pcl{n}", text, PCL_OPTIONS) for n, text in enumerate(_ITEMS, start=1)),
    minimum=0,
    maximum=80,
    bands=(
        Band(0, "below the provisional cut-point", 0),
        Band(31, "in the provisional cut-point range", 1),
        Band(34, "above the provisional cut-point", 2),
    ),
    higher_is_better=False,
    reliable_change=None,
    reliable_change_source="No published reliable-change figure for the PCL-5 is on file in "
    "Mend; an admin can enter a practice-set one with its citation.",
    source="Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP (2013). The PTSD "
    "Checklist for DSM-5 (PCL-5). National Center for PTSD, www.ptsd.va.gov. Form version "
    "11 April 2018.",
    licence="Public domain: a work of the US Department of Veterans Affairs, National Center "
    "for PTSD.",
    cutoff=31,
    cutoff_source="VA National Center for PTSD: a cut-point of 31-33 is suggested and is "
    "provisional; Mend takes 31, the lower end, as the start of the clinical range.",
    version="2018-04-11",
    score_note="The VA suggests a cut-point of 31–33 and says it is provisional.",
)
