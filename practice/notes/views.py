"""Session notes: start one for a session or a contact, write it, sign it, add addenda."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from practice.access import (
    clinician_required,
    get_appointment_or_404,
    get_couple_or_404,
    get_note_or_404,
)
from practice.audit.capture import record
from practice.auth.forms import PostForm
from practice.db import db
from practice.downloads import file_response
from practice.inputs import ID_MAX
from practice.models import Couple, PracticeSettings, SessionNote, utcnow
from practice.notes.document import archive_note, kind_words, note_pdf, read_note_pdf
from practice.notes.formats import chosen_format, get_format
from practice.notes.forms import (
    AddendumForm,
    ContactNoteForm,
    NoteFormatChoiceForm,
    PlanItemTextForm,
    RemoveLineForm,
    StartNoteForm,
    sections_form,
)
from practice.notes.plan import add_item, delete_item
from practice.notes.prefill import grouped
from practice.notes.services import (
    NoteError,
    NoteSigned,
    count_notes_due,
    draft_addendum,
    note_for_appointment,
    notes_due,
    notes_of,
    remove_line,
    save_addendum_draft,
    save_sections,
    sign,
    sign_addendum,
    start_appointment_note,
    start_contact_note,
)
from practice.reporting.archive import ArchiveError
from practice.reporting.printing import RenderError
from practice.timefmt import from_local, practice_zone

bp = Blueprint("notes", __name__)
log = logging.getLogger(__name__)


def _default_format():
    settings = db.session.get(PracticeSettings, 1)
    return chosen_format(current_user.note_format, settings.note_format if settings else "dap")


def _revision(value: str | None) -> int:
    try:
        number = int(value or 0)
    except ValueError:
        return -1
    return number if abs(number) <= ID_MAX else -1


@bp.route("/appointments/<int:appointment_id>/note", methods=["GET", "POST"])
@clinician_required
def start(appointment_id: int):
    """Start the session note of an appointment that has taken place (or open the one there is)."""
    appointment = get_appointment_or_404(appointment_id)
    existing = note_for_appointment(db.session, appointment.id)
    if existing is not None:
        return redirect(url_for("notes.edit", note_id=existing.id))
    form = StartNoteForm(note_format=_default_format().key)
    error = None
    if form.validate_on_submit():
        try:
            note = start_appointment_note(
                db.session,
                appointment,
                current_user,
                get_format(form.note_format.data),
                utcnow(),
                practice_zone(),
            )
        except NoteError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            return redirect(url_for("notes.edit", note_id=note.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "notes/start.html",
        form=form,
        couple=appointment.couple,
        appointment=appointment,
        error=error,
        now=utcnow(),
    ), status


@bp.route("/couples/<int:couple_id>/notes/contact", methods=["GET", "POST"])
@clinician_required
def new_contact(couple_id: int):
    """Start a note for a contact outside appointments: a call, a crisis contact."""
    couple = get_couple_or_404(couple_id)
    form = ContactNoteForm(note_format=_default_format().key)
    if form.validate_on_submit():
        zone = practice_zone()
        try:
            note = start_contact_note(
                db.session,
                couple,
                current_user,
                get_format(form.note_format.data),
                from_local(form.held_at.data, zone),
                form.contact_kind.data,
                utcnow(),
                zone,
            )
        except NoteError as exc:
            db.session.rollback()
            form.held_at.errors = [*form.held_at.errors, str(exc)]
        else:
            db.session.commit()
            return redirect(url_for("notes.edit", note_id=note.id))
    status = 400 if form.is_submitted() else 200
    return render_template("notes/contact.html", form=form, couple=couple), status


@bp.get("/couples/<int:couple_id>/notes")
@clinician_required
def index(couple_id: int):
    """The couple's session notes, and the sessions still waiting for one."""
    couple = get_couple_or_404(couple_id)
    now = utcnow()
    return render_template(
        "notes/index.html",
        couple=couple,
        notes=notes_of(db.session, couple.id),
        due=notes_due(db.session, couple.id, now),
        kind_words=kind_words,
    )


def _render_note(note: SessionNote, status: int = 200, **forms):
    couple = db.session.get(Couple, note.couple_id)
    note_format = get_format(note.note_format)
    form = forms.pop("form", None)
    if form is None and not note.signed:
        form = sections_form(note_format)(data={**note.sections, "revision": str(note.revision)})
    addendum_form = forms.pop("addendum_form", None)
    if addendum_form is None and note.signed:
        draft = draft_addendum(note, current_user)
        addendum_form = AddendumForm(data={"body": draft.body if draft else ""})
    return render_template(
        "notes/edit.html",
        note=note,
        couple=couple,
        note_format=note_format,
        form=form,
        groups=grouped(note.prefill.get("lines", [])),
        removed=int(note.prefill.get("removed", 0)),
        plan_form=forms.pop("plan_form", None) or PlanItemTextForm(formdata=None),
        remove_form=RemoveLineForm(formdata=None),
        addendum_form=addendum_form,
        post_form=PostForm(formdata=None),
        title=kind_words(note),
        window_last=note.window_end - timedelta(days=1),
        closed=couple.status == "closed",
        **forms,
    ), status


@bp.route("/notes/<int:note_id>", methods=["GET", "POST"])
@clinician_required
def edit(note_id: int):
    """A note: its pre-filled data, its sections, its plan; once signed, read-only with addenda."""
    note = get_note_or_404(note_id)
    if request.method == "GET":
        return _render_note(note)
    note_format = get_format(note.note_format)
    form = sections_form(note_format)()
    if note.signed:
        return _refuse_signed(note, form)
    if not form.validate_on_submit():
        return _render_note(note, 400, form=form)
    values = {s.key: form[s.key].data or "" for s in note_format.sections}
    try:
        result = save_sections(db.session, note, values, _revision(form.revision.data))
    except NoteSigned:
        db.session.rollback()
        return _refuse_signed(note, form)
    except NoteError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _render_note(note, 400, form=form)
    if result.conflict:
        db.session.rollback()
        form.form_errors.append(
            _(
                "This note was saved in another window after you opened this one, so this save "
                "was refused. Your words are still here below: copy what you need, then reload."
            )
        )
        return _render_note(note, 409, form=form)
    if request.form.get("action") == "sign":
        signed = sign(note, current_user, utcnow())
        db.session.flush()
        if signed:
            _print(note)
    db.session.commit()
    flash(_("Note signed.") if note.signed else _("Note saved."), "success")
    return redirect(url_for("notes.edit", note_id=note.id))


def _print(note: SessionNote) -> None:
    """Keep the signed note's PDF; a failed print does not undo the signature (the PDF is
    printed again when asked for)."""
    try:
        archive_note(db.session, note, current_app.config["REPORT_DIR"], practice_zone())
    except (RenderError, ArchiveError) as exc:
        log.warning("session note %s not printed: %s", note.id, exc)
        flash(_("The note is signed, but its PDF could not be kept just now."), "error")


def _refuse_signed(note: SessionNote, form):
    """A change to a signed note: refused, the words kept as the clinician's draft addendum."""
    words = "\n\n".join(
        f"{section.title}:\n{(form[section.key].data or '').strip()}"
        for section in get_format(note.note_format).sections
        if section.key in form
        and (form[section.key].data or "").strip()
        and (form[section.key].data or "").strip() != (note.sections.get(section.key) or "")
    )
    if words:
        save_addendum_draft(db.session, note, current_user, words[:20_000])
        db.session.commit()
    addendum_form = AddendumForm(formdata=None, data={"body": words})
    return _render_note(
        note,
        409,
        addendum_form=addendum_form,
        refused=NoteSigned().args[0],
    )


@bp.post("/notes/<int:note_id>/autosave")
@clinician_required
def autosave(note_id: int):
    """Save a draft from the page's script; 409 when signed or a newer revision exists."""
    note = get_note_or_404(note_id)
    if note.signed:
        return jsonify(error="signed", message=_("This note has been signed.")), 409
    note_format = get_format(note.note_format)
    form = sections_form(note_format)()
    if not form.validate_on_submit():
        message = next(iter(e for errors in form.errors.values() for e in errors), "")
        return jsonify(error="invalid", message=str(message)), 400
    values = {s.key: form[s.key].data or "" for s in note_format.sections}
    if all((note.sections.get(k) or "") == v.strip() for k, v in values.items()):
        return jsonify(revision=note.revision, saved_at=note.updated_at.isoformat())
    try:
        result = save_sections(db.session, note, values, _revision(form.revision.data))
    except NoteSigned:
        db.session.rollback()
        return jsonify(error="signed", message=_("This note has been signed.")), 409
    except NoteError as exc:
        db.session.rollback()
        return jsonify(error="invalid", message=str(exc)), 400
    db.session.commit()
    body = {"revision": result.note.revision, "saved_at": result.note.updated_at.isoformat()}
    if result.conflict:
        return jsonify(
            error="conflict", message=_("A newer version was saved in another window."), **body
        ), 409
    return jsonify(**body)


@bp.get("/notes/csrf-token")
@clinician_required
def csrf_token():
    """A fresh form token for the autosave script after signing in again in another tab."""
    return jsonify(token=generate_csrf())


@bp.post("/notes/<int:note_id>/lines/remove")
@clinician_required
def remove_prefill_line(note_id: int):
    """Take a pre-filled line out of a note before it is signed."""
    note = get_note_or_404(note_id)
    form = RemoveLineForm()
    key = request.form.get("line", "")
    if not form.validate_on_submit() or not key or len(key) > 40:
        abort(400)
    try:
        removed = remove_line(note, key)
    except NoteSigned as exc:
        flash(str(exc).split(".")[0] + ".", "error")
        return redirect(url_for("notes.edit", note_id=note.id))
    db.session.commit()
    flash(
        _("Line removed from the note.") if removed else _("That line was already removed."),
        "success" if removed else "info",
    )
    return redirect(url_for("notes.edit", note_id=note.id) + "#prefill")


@bp.post("/notes/<int:note_id>/plan")
@clinician_required
def add_plan_item(note_id: int):
    """Add a plan item to a draft note."""
    note = get_note_or_404(note_id)
    form = PlanItemTextForm()
    if form.validate_on_submit():
        try:
            add_item(db.session, note, form.text.data)
        except NoteError as exc:
            db.session.rollback()
            form.text.errors = [*form.text.errors, str(exc)]
        else:
            db.session.commit()
            return redirect(url_for("notes.edit", note_id=note.id) + "#plan")
    return _render_note(note, 400, plan_form=form)


@bp.post("/notes/<int:note_id>/plan/<int:item_id>/delete")
@clinician_required
def delete_plan_item(note_id: int, item_id: int):
    """Remove a plan item nothing was made from yet."""
    note = get_note_or_404(note_id)
    item = next((i for i in note.plan_items if i.id == item_id), None)
    if item is None or not PostForm().validate_on_submit():
        abort(404 if item is None else 400)
    try:
        delete_item(db.session, note, item)
    except NoteError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Plan item removed."), "success")
    return redirect(url_for("notes.edit", note_id=note.id) + "#plan")


@bp.post("/notes/<int:note_id>/addenda")
@clinician_required
def add_addendum(note_id: int):
    """Add a dated, signed addendum under a signed note."""
    note = get_note_or_404(note_id)
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            sign_addendum(db.session, note, current_user, form.body.data, utcnow())
        except NoteError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(exc)]
        else:
            _print(note)
            db.session.commit()
            flash(_("Addendum signed and added under the note."), "success")
            return redirect(url_for("notes.edit", note_id=note.id) + "#addenda")
    return _render_note(note, 400, addendum_form=form)


@bp.get("/notes/<int:note_id>/pdf")
@clinician_required
def pdf(note_id: int):
    """The signed note as a PDF: the kept print, or printed now if it could not be kept."""
    note = get_note_or_404(note_id)
    if not note.signed:
        flash(_("A note can be downloaded once it is signed."), "error")
        return redirect(url_for("notes.edit", note_id=note.id))
    try:
        data = read_note_pdf(current_app.config["REPORT_DIR"], note) if note.pdf_file else None
    except (OSError, ArchiveError):
        data = None
    try:
        data = data or note_pdf(db.session, note, practice_zone())
    except RenderError as exc:
        flash(str(exc), "error")
        return redirect(url_for("notes.edit", note_id=note.id))
    record("exported", "session_note", note.id, note.couple_id)
    db.session.commit()
    day = note.held_at.astimezone(practice_zone()).date()
    couple = db.session.get(Couple, note.couple_id)
    return file_response(data, "application/pdf", f"mend-{couple.label}-note-{day}.pdf")


@bp.route("/account/note-format", methods=["GET", "POST"])
@clinician_required
def choose_format():
    """The clinician's own session-note format (else the practice's default)."""
    form = NoteFormatChoiceForm(note_format=current_user.note_format)
    if form.validate_on_submit():
        current_user.note_format = form.note_format.data or ""
        db.session.commit()
        flash(_("New notes will start as %(name)s.", name=_default_format().name), "success")
        return redirect(url_for("notes.choose_format"))
    status = 400 if form.is_submitted() else 200
    return render_template("notes/format.html", form=form, current=_default_format()), status


def notes_due_for(couple_id: int) -> int:
    """How many past sessions of the couple wait for a signed note (for the couple page)."""
    return count_notes_due(db.session, couple_id, utcnow())
