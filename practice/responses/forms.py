"""The clinician's review of an answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from practice.forms import MendForm


class ReviewForm(MendForm):
    reviewed = BooleanField(_l("Reviewed"))
    comment = TextAreaField(
        _l("Your private comment"),
        validators=[Optional(), Length(max=10000)],
        description=_l("Only you see this. Clients never do."),
    )
