"""The clinician's review of an answer."""

from __future__ import annotations

from wtforms import BooleanField, TextAreaField
from wtforms.validators import Length, Optional

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l


class ReviewForm(MendForm):
    reviewed = BooleanField(_l("Reviewed"))
    comment = TextAreaField(
        _l("Your private comment"),
        validators=[Optional(), Length(max=10000)],
        description=_l("Only you see this. Clients never do."),
    )
