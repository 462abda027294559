"""Downloads: a partner's own words (JSON or PDF), and a couple's whole record for its clinician."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, url_for

from practice.access import client_required, clinician_required, get_couple_or_404, own_partner
from practice.audit.capture import record
from practice.db import db
from practice.downloads import file_response
from practice.exports.pdf import export_pdf
from practice.exports.services import client_export, couple_export
from practice.models import utcnow
from practice.reporting.printing import RenderError

bp = Blueprint("exports", __name__)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


@bp.get("/settings/my-words.json")
@client_required
def mine_json():
    """Everything the signed-in partner wrote, as JSON."""
    partner = own_partner()
    data = client_export(db.session, partner)
    record("exported", "partner", partner.id, partner.couple_id)
    return file_response(_json(data), "application/json", f"mend-my-words-{utcnow():%Y-%m-%d}.json")


@bp.get("/settings/my-words.pdf")
@client_required
def mine_pdf():
    """Everything the signed-in partner wrote, as a PDF to read or print."""
    partner = own_partner()
    data = client_export(db.session, partner)
    try:
        pdf = export_pdf(data)
    except RenderError as exc:
        flash(str(exc), "error")
        return redirect(url_for("client.settings"))
    record("exported", "partner", partner.id, partner.couple_id)
    return file_response(pdf, "application/pdf", f"mend-my-words-{utcnow():%Y-%m-%d}.pdf")


@bp.get("/couples/<int:couple_id>/export.json")
@clinician_required
def couple_json(couple_id: int):
    """One couple's whole record, both partners' private answers included, as JSON."""
    couple = get_couple_or_404(couple_id)
    data = couple_export(db.session, couple)
    record("exported", "couple", couple.id, couple.id)
    name = f"mend-couple-{couple.id}-{utcnow():%Y-%m-%d}.json"
    return file_response(_json(data), "application/json", name)


def _fhir(administrations) -> bytes:
    from flask import current_app

    from practice.exports.fhir import bundle

    data = bundle(current_app.config["BASE_URL"], administrations, utcnow())
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


@bp.get("/settings/my-questionnaires.fhir.json")
@client_required
def mine_fhir():
    """The signed-in partner's own questionnaires as a FHIR R4 Bundle (never the other's)."""
    from practice.exports.fhir import gather_partner

    partner = own_partner()
    body = _fhir(gather_partner(db.session, partner))
    record("exported", "partner", partner.id, partner.couple_id)
    name = f"mend-my-questionnaires-{utcnow():%Y-%m-%d}.fhir.json"
    return file_response(body, "application/fhir+json", name)


@bp.get("/couples/<int:couple_id>/questionnaires.fhir.json")
@clinician_required
def couple_fhir(couple_id: int):
    """A couple's questionnaires, both partners, as a FHIR R4 Bundle for its clinician."""
    from practice.exports.fhir import gather_couple

    couple = get_couple_or_404(couple_id)
    body = _fhir(gather_couple(db.session, couple.id))
    record("exported", "couple", couple.id, couple.id)
    name = f"mend-couple-{couple.id}-questionnaires-{utcnow():%Y-%m-%d}.fhir.json"
    return file_response(body, "application/fhir+json", name)
