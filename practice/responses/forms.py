"""The clinician's review of an answer."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from practice.forms import MendForm


class ReviewForm(MendForm):
    reviewed = BooleanField("Reviewed")
    comment = TextAreaField(
        "Your private comment",
        validators=[Optional(), Length(max=10000)],
        description="Only you see this. Clients never do.",
    )
