"""The clinician's choice of event title for their calendar feed."""

from __future__ import annotations

from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l


class TitleForm(MendForm):
    title_style = RadioField(
        _l("Event titles"),
        choices=[
            SelectChoice("label", _l("The couple's label (for example \u201cWillow\u201d)")),
            SelectChoice("session", _l("Just \u201cSession\u201d")),
        ],
        validators=[InputRequired(message=_l("Please choose how events are titled."))],
        description=_l(
            "Shared or work calendars may be seen by others: \u201cSession\u201d shows "
            "nothing about who it is with."
        ),
    )
