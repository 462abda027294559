"""Small things a reader trips over: the timeline's stage tag is the couple's stage when an
answer was sent; summaries read cleanly; a Scale without limits is 0-10 and a bad one is
marked at its field; one name for the trends page; the audit trail in people's words."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from practice.db import db
from practice.models import AuditEvent, Couple, ExerciseTemplate, StageChange, utcnow
from tests.factories import World, make_assignment, make_response, make_template


def test_timeline_tags_answers_with_the_couples_stage_then(
    app: Flask, world: World, as_user
) -> None:
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)  # at stage 2 since it was made
        template = make_template(
            db.session,
            couple.clinician,
            title="Stage seven exercise",
            stage=7,
            fields=[
                {
                    "key": "happy",
                    "label": "Please indicate the degree of happiness of your relationship.",
                    "kind": "single_choice",
                    "options": ["A Little Unhappy", "Happy"],
                }
            ],
        )
        assignment = make_assignment(db.session, couple, template, days_ago=6)
        old = make_response(db.session, assignment, "injured", 5, {"happy": "A Little Unhappy"})
        old.submitted_at = utcnow() - timedelta(days=5)
        for change in couple.stage_changes:
            change.changed_at = utcnow() - timedelta(days=20)
        couple.stage_changes.append(
            StageChange(
                from_stage=2, to_stage=3, reason="moved", changed_at=utcnow() - timedelta(days=2)
            )
        )
        couple.stage = 3
        new = make_response(db.session, assignment, "involved", 1, {"happy": "Happy"})
        db.session.commit()
        old_id, new_id = old.id, new.id
    browser = as_user("a@clinic.test")
    page = browser.get(f"/couples/{world.couple_a}/responses").get_data(as_text=True)
    items = {
        rid: page.split(f'/responses/{rid}"')[0].rsplit("<li", 1)[1] for rid in (old_id, new_id)
    }
    assert "stage 2" in items[old_id] and "stage 7" not in items[old_id]
    assert "stage 3" in items[new_id]
    assert "relationship.:" not in page
    assert "of your relationship: A Little Unhappy" in page
    # The stage filter follows the same stage.
    page2 = browser.get(f"/couples/{world.couple_a}/responses?stage=2").get_data(as_text=True)
    assert f'/responses/{old_id}"' in page2 and f'/responses/{new_id}"' not in page2


def test_a_scale_without_limits_is_zero_to_ten(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    response = browser.submit(
        f"/library/{world.template_a}/fields/new",
        {"key": "calm", "label": "How calm", "kind": "scale"},
    )
    assert response.status_code == 302
    with app.app_context():
        fields = db.session.get(ExerciseTemplate, world.template_a).latest.definition["fields"]
    calm = next(f for f in fields if f["key"] == "calm")
    assert (calm["min"], calm["max"]) == (0, 10)
    form = browser.get(f"/library/{world.template_a}/fields/new").get_data(as_text=True)
    assert "A scale left empty runs from 0 to 10." in form


def test_a_bad_scale_is_marked_at_its_field(world: World, as_user) -> None:
    response = as_user("a@clinic.test").submit(
        f"/library/{world.template_a}/fields/new",
        {"key": "s", "label": "S", "kind": "scale", "min": "9", "max": "1"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field = page.split('for="max"')[1].split("</div>")[0]
    assert "lower to a higher whole number" in field and 'aria-invalid="true"' in field


def test_the_trends_page_has_one_name(world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    pages = [
        browser.get(f"/couples/{world.couple_a}").get_data(as_text=True),
        browser.get(f"/couples/{world.couple_a}/boundaries").get_data(as_text=True),
        browser.get(f"/couples/{world.couple_a}/insights").get_data(as_text=True),
    ]
    for page in pages:
        assert "How things are going" in page
        assert "Trends and adherence" not in page and "Adherence and trends" not in page


def test_audit_trail_says_what_a_person_did(app: Flask, world: World, as_user) -> None:
    browser = as_user("a@clinic.test")
    browser.get(f"/couples/{world.couple_a}/report")
    browser.get(f"/responses/{world.response_a}")
    page = browser.get(f"/couples/{world.couple_a}/audit").get_data(as_text=True)
    admin = as_user("admin@clinic.test").get("/admin/audit").get_data(as_text=True)
    with app.app_context():
        routes = {e.route for e in db.session.query(AuditEvent).all() if e.route}
    assert routes  # something was recorded
    for text in (page, admin):
        for route in routes - {"cli"}:
            assert f">{route}<" not in text, route
    assert "Where" in admin and "the sign-in page" in admin


def test_band_shades_darken_with_concern_in_greyscale() -> None:
    from practice.reporting.charts import band_shade

    def grey(colour: str) -> float:  # the luminance a greyscale printer keeps
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    for count in (2, 3, 5):
        greys = [grey(band_shade(rank, count)) for rank in range(count)]
        assert all(a > b for a, b in zip(greys, greys[1:], strict=False)), (count, greys)


def test_unread_messages_show_on_the_phone_menu_button(world: World, as_user) -> None:
    page = as_user("ia@client.test").get("/today").get_data(as_text=True)
    button = page.split('id="menu-button"')[1].split("</button>")[0]
    assert 'class="badge">1<span class="visually-hidden"> unread messages' in button
    quiet = as_user("a@clinic.test").get("/", follow_redirects=True).get_data(as_text=True)
    assert "unread messages" not in quiet.split('id="menu-button"')[1].split("</button>")[0]
