"""Every threshold the analytics use, in one place. Changing one here changes pages and reports.

CROSSING: any crossing reported by either partner raises a flag.
DISAGREEMENT: partners reporting differently (kept vs crossed) for the same day raises a flag.
METRIC_WORSENING: a tracked metric's period mean worsening by this many points or more against
    the previous period of the same length (a drop for most scales; a rise for scales where
    lower is better, such as distress).
HIGH_DISTRESS: a distress value at or above this on any day.
LOW_COMPLETION: check-in completion below this share of the expected check-ins.
PROPOSAL_WAITING_DAYS: a proposed boundary waiting longer than this for the other partner.
ROLLING_DAYS: the window of the rolling mean.
"""

CROSSING = 1
METRIC_WORSENING = 2.0
HIGH_DISTRESS = 8
DISTRESS_KEYS = frozenset({"distress"})
LOW_COMPLETION = 0.5
PROPOSAL_WAITING_DAYS = 7
ROLLING_DAYS = 7
