"""Messages between sessions: each partner's private conversation with the clinician stays
theirs, the shared one is read by all three, and nothing is lost to a refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from practice.db import db
from practice.mail import outbox
from practice.messages.services import MAX_LENGTH, SEND_LIMIT
from practice.models import Couple, Message, MessageRead, utcnow
from tests.factories import World

CLINICIAN = "a@clinic.test"
INJURED = "ia@client.test"
INVOLVED = "va@client.test"


def _send(browser, url: str, body: str, key: str | None = None, **extra):
    data = {"body": body, **extra}
    if key is not None:
        data["submit_key"] = key
    return browser.submit(url, data)


def _count(app: Flask, **where) -> int:
    with app.app_context():
        statement = select(func.count(Message.id))
        for column, value in where.items():
            statement = statement.where(getattr(Message, column) == value)
        return db.session.scalar(statement)


def _latest(app: Flask) -> Message:
    with app.app_context():
        message = db.session.scalar(select(Message).order_by(Message.id.desc()).limit(1))
        db.session.expunge(message)
        return message


def _nav_unread(html: str) -> int:
    found = re.search(r">Messages <span class=\"badge\">(\d+)<", html)
    return int(found.group(1)) if found else 0


def test_a_private_message_reaches_the_clinician_and_nothing_of_it_the_other_partner(
    app: Flask, world: World, as_user
) -> None:
    injured, involved, clinician = as_user(INJURED), as_user(INVOLVED), as_user(CLINICIAN)
    involved.get("/messages/together")  # read what is there, so reading changes nothing below
    before = {
        url: involved.get(url).get_data(as_text=True)
        for url in ("/messages", "/messages/private", "/messages/together", "/today")
    }
    sent = _send(injured, "/messages/private", "Only for you: I found the old phone.")
    assert sent.status_code == 302
    message = _latest(app)
    assert (message.thread, message.author_role) == ("injured", "injured")

    # The clinician sees it, counted as unread on the caseload and the couple page.
    caseload = clinician.get("/couples/").get_data(as_text=True)
    assert re.search(r">2 new messages</a>", caseload)  # the world's and this one
    page = clinician.get(f"/couples/{world.couple_a}/messages/injured").get_data(as_text=True)
    assert "Only for you: I found the old phone." in page

    # The other partner: no words, no count, no trace, and its address is not found.
    for url, html in before.items():
        after = involved.get(url).get_data(as_text=True)
        assert "old phone" not in after
        assert _nav_unread(after) == _nav_unread(html), url
    assert involved.get(f"/messages/m/{message.id}/edit").status_code == 404
    assert involved.submit(f"/messages/m/{message.id}/withdraw", {}).status_code == 404
    export = involved.get("/settings/my-words.json").get_json()
    assert all("old phone" not in m["text"] for m in export["messages"])
    assert all(m["conversation"] != "private (injured)" for m in export["messages"])


def test_unread_counts_follow_each_reader_and_the_shared_thread_says_read_by_both(
    app: Flask, world: World, as_user
) -> None:
    injured, involved, clinician = as_user(INJURED), as_user(INVOLVED), as_user(CLINICIAN)
    # The world's clinician message to all three is unread for both partners.
    assert _nav_unread(injured.get("/today").get_data(as_text=True)) == 1
    assert _send(injured, "/messages/together", "Thank you for Tuesday.").status_code == 302
    mine = _latest(app)
    page = injured.get("/messages/together").get_data(as_text=True)
    assert _nav_unread(page) == 0  # reading the conversation read it
    assert "Not yet read" in page and "Read by both" not in page

    involved.get("/messages/together")
    assert "Not yet read" in injured.get("/messages/together").get_data(as_text=True)
    clinician.get(f"/couples/{world.couple_a}/messages/together")
    page = injured.get("/messages/together").get_data(as_text=True)
    assert re.search(rf'id="m{mine.id}".*?Read by both', page, re.S)

    # A reply from the clinician counts once for the partner it was written to.
    reply = clinician.submit(
        f"/couples/{world.couple_a}/messages",
        {"to": "involved", "body": "Would you like to talk about it first?", "submit_key": "k1"},
    )
    assert reply.status_code == 302
    assert _nav_unread(involved.get("/today").get_data(as_text=True)) == 1
    assert _nav_unread(injured.get("/today").get_data(as_text=True)) == 0


def test_writing_to_both_partners_makes_two_private_messages(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user(CLINICIAN)
    sent = clinician.submit(
        f"/couples/{world.couple_a}/messages",
        {"to": "both", "body": "A reminder: no session next week.", "submit_key": "both-1"},
    )
    assert sent.status_code == 302
    assert _count(app, author_role="clinician", thread="injured") == 1
    assert _count(app, author_role="clinician", thread="involved") == 1
    again = clinician.submit(
        f"/couples/{world.couple_a}/messages",
        {"to": "both", "body": "A reminder: no session next week.", "submit_key": "both-1"},
    )
    assert again.status_code == 302
    assert _count(app, author_role="clinician", thread="involved") == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "Please write something before sending."),
        ("   \n  ", "Please write something before sending."),
        ("x" * (MAX_LENGTH + 1), "Messages can be up to 5,000 characters"),
    ],
)
def test_a_refused_message_keeps_its_words(
    app: Flask, world: World, as_user, body: str, says: str
) -> None:
    injured = as_user(INJURED)
    before = _count(app)
    response = _send(injured, "/messages/private", body)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert says in html
    if body.strip():
        assert body in html  # the words are still in the box
    assert _count(app) == before


def test_a_form_sent_twice_makes_one_message(app: Flask, world: World, as_user) -> None:
    injured = as_user(INJURED)
    before = _count(app)
    first = _send(injured, "/messages/private", "Sent with a double tap.", key="same-key")
    second = _send(injured, "/messages/private", "Sent with a double tap.", key="same-key")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(app) == before + 1


def test_edit_and_withdraw_only_in_the_first_five_minutes(
    app: Flask, world: World, as_user
) -> None:
    injured, clinician = as_user(INJURED), as_user(CLINICIAN)
    _send(injured, "/messages/together", "I said something unkind.")
    message = _latest(app)
    edited = injured.submit(f"/messages/m/{message.id}/edit", {"body": "I was unkind; sorry."})
    assert edited.status_code == 302
    page = clinician.get(f"/couples/{world.couple_a}/messages/together").get_data(as_text=True)
    assert "I was unkind; sorry." in page and "edited" in page
    assert "I said something unkind." not in page

    withdrawn = injured.submit(f"/messages/m/{message.id}/withdraw", {})
    assert withdrawn.status_code == 302
    page = clinician.get(f"/couples/{world.couple_a}/messages/together").get_data(as_text=True)
    assert "Message withdrawn" in page and "I was unkind; sorry." not in page

    _send(injured, "/messages/together", "Written a while ago.")
    old = _latest(app)
    with app.app_context():
        db.session.execute(
            update(Message)
            .where(Message.id == old.id)
            .values(created_at=utcnow() - timedelta(minutes=6))
        )
        db.session.commit()
    late = injured.submit(f"/messages/m/{old.id}/edit", {"body": "Changed late."})
    assert late.status_code == 302
    assert "first five minutes" in injured.get(late.headers["Location"]).get_data(as_text=True)
    injured.submit(f"/messages/m/{old.id}/withdraw", {})
    with app.app_context():
        kept = db.session.get(Message, old.id)
        assert kept.body == "Written a while ago." and kept.withdrawn_at is None
    # Nobody changes someone else's message, even within the five minutes.
    other = clinician.submit(
        f"/couples/{world.couple_a}/messages/m/{old.id}/edit", {"body": "Not mine."}
    )
    assert other.status_code == 302
    with app.app_context():
        assert db.session.get(Message, old.id).body == "Written a while ago."


def test_paused_messaging_keeps_reading_and_says_why(app: Flask, world: World, as_user) -> None:
    injured, clinician = as_user(INJURED), as_user(CLINICIAN)
    paused = clinician.submit(
        f"/couples/{world.couple_a}/messaging",
        {"action": "off", "reason": "Let's keep these talks for our sessions."},
    )
    assert paused.status_code == 302
    page = injured.get("/messages/together").get_data(as_text=True)
    assert "Let&#39;s keep these talks for our sessions." in page
    assert "A message between sessions." in page  # reading stays possible
    refused = _send(injured, "/messages/together", "But I need to say this.")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "paused messages" in html and "But I need to say this." in html
    clinician.submit(f"/couples/{world.couple_a}/messaging", {"action": "on"})
    assert _send(injured, "/messages/together", "But I need to say this.").status_code == 302


def test_a_closed_couple_reads_but_does_not_write(app: Flask, world: World, as_user) -> None:
    injured = as_user(INJURED)
    with app.app_context():
        couple = db.session.get(Couple, world.couple_a)
        couple.status, couple.closed_at = "closed", utcnow()
        db.session.commit()
    refused = _send(injured, "/messages/private", "Are you still there?")
    assert refused.status_code == 400
    assert "can be read but not added to" in refused.get_data(as_text=True)


def test_sending_is_throttled_with_a_plain_message(app: Flask, world: World, as_user) -> None:
    injured = as_user(INJURED)
    for n in range(SEND_LIMIT - _count(app, author_role="injured")):
        assert _send(injured, "/messages/private", f"message {n}").status_code == 302
    refused = _send(injured, "/messages/private", "one more")
    assert refused.status_code == 400
    assert "please wait ten minutes" in refused.get_data(as_text=True)
    assert "one more" in refused.get_data(as_text=True)


def test_notices_carry_no_words_and_come_at_most_once_an_hour(
    app: Flask, world: World, as_user
) -> None:
    injured, clinician = as_user(INJURED), as_user(CLINICIAN)
    outbox(app).clear()
    _send(injured, "/messages/private", "The words stay in Mend.")
    _send(injured, "/messages/private", "And these too.")
    mails = [m for m in outbox(app) if m.to == CLINICIAN]
    assert len(mails) == 1
    assert mails[0].subject == "You have a new message in Mend"
    assert "words stay" not in mails[0].body and "And these" not in mails[0].body
    assert all(m.to != INVOLVED for m in outbox(app))  # not in the conversation

    # The clinician has the conversation open: no email while they are there.
    clinician.get(f"/couples/{world.couple_a}/messages/injured")
    with app.app_context():
        db.session.execute(update(MessageRead).values(notified_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    outbox(app).clear()
    _send(injured, "/messages/private", "While you are reading.")
    assert not [m for m in outbox(app) if m.to == CLINICIAN]


def test_a_reader_who_chose_none_or_a_digest_gets_no_immediate_notice(
    app: Flask, world: World, as_user
) -> None:
    from datetime import date

    from practice.reminders import send_reminders
    from practice.timefmt import practice_zone

    involved, clinician = as_user(INVOLVED), as_user(CLINICIAN)
    assert involved.submit("/messages/settings", {"notices": "digest"}).status_code == 302
    outbox(app).clear()
    clinician.submit(
        f"/couples/{world.couple_a}/messages",
        {"to": "involved", "body": "How are you both?", "submit_key": "d1"},
    )
    assert not [m for m in outbox(app) if m.to == INVOLVED]
    with app.app_context():
        send_reminders(db.session, date.today(), practice_zone())
        db.session.commit()
        send_reminders(db.session, date.today(), practice_zone())  # twice: one digest
        db.session.commit()
    digests = [m for m in outbox(app) if m.to == INVOLVED and "unread message" in m.subject]
    assert len(digests) == 1
    assert "How are you" not in digests[0].body


def test_the_updates_endpoint_answers_304_until_something_changes(
    app: Flask, world: World, as_user
) -> None:
    injured, clinician = as_user(INJURED), as_user(CLINICIAN)
    first = injured.get("/messages/together/updates")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    same = injured.get("/messages/together/updates", headers={"If-None-Match": etag})
    assert same.status_code == 304
    clinician.submit(
        f"/couples/{world.couple_a}/messages",
        {"to": "together", "body": "New, without a reload.", "submit_key": "u1"},
    )
    changed = injured.get("/messages/together/updates?seen=1", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "New, without a reload." in changed.get_json()["html"]
    assert _nav_unread(injured.get("/today").get_data(as_text=True)) == 0
    # The other partner's private conversation is not reachable through it.
    assert (
        "A message between sessions."
        not in as_user(INVOLVED).get("/messages/private/updates").get_json()["html"]
    )


def test_marked_messages_reach_the_agenda_of_the_right_copy(
    app: Flask, world: World, as_user
) -> None:
    clinician = as_user(CLINICIAN)
    base = f"/couples/{world.couple_a}/messages/m"
    assert clinician.submit(f"{base}/{world.message_a}/for-session", {"on": "1"}).status_code == 302
    clinician.submit(f"{base}/{world.clinician_message_a}/for-session", {"on": "1"})
    with app.app_context():
        db.session.get(Message, world.message_a).body = "PRIVATE-AGENDA"
        db.session.get(Message, world.clinician_message_a).body = "SHARED-AGENDA"
        db.session.commit()
    preview = f"/couples/{world.couple_a}/report/preview?period=14"
    mine = clinician.get(preview).get_data(as_text=True)
    assert "Messages marked for this session" in mine
    assert "PRIVATE-AGENDA" in mine and "SHARED-AGENDA" in mine
    theirs = clinician.get(preview + "&audience=couple").get_data(as_text=True)
    assert "SHARED-AGENDA" in theirs and "PRIVATE-AGENDA" not in theirs


def test_bodies_are_encrypted_at_rest_and_links_are_safe(app: Flask, world: World, as_user) -> None:
    injured = as_user(INJURED)
    _send(
        injured,
        "/messages/private",
        "See https://example.org/help. <img src=x onerror=alert(1)>\n![x](http://evil/x.png)",
    )
    message = _latest(app)
    with app.app_context():
        raw = db.session.execute(
            select(Message.__table__.c.body).where(Message.__table__.c.id == message.id)
        ).scalar_one()
    assert "example.org" not in str(raw)
    html = injured.get("/messages/private").get_data(as_text=True)
    assert '<a href="https://example.org/help" rel="noopener noreferrer nofollow"' in html
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_messages_are_in_the_couple_export(app: Flask, world: World, as_user) -> None:
    export = as_user(CLINICIAN).get(f"/couples/{world.couple_a}/export.json").get_json()
    conversations = {m["conversation"] for m in export["messages"]}
    assert conversations == {"private (injured)", "all three"}


def test_the_availability_note_and_crisis_resources_head_every_client_conversation(
    app: Flask, world: World, as_user
) -> None:
    admin, clinician, injured = as_user("admin@clinic.test"), as_user(CLINICIAN), as_user(INJURED)
    saved = admin.submit(
        "/admin/settings", {"availability_note": "The practice reads messages on weekdays."}
    )
    assert saved.status_code == 302
    for url in ("/messages", "/messages/private", "/messages/together"):
        page = injured.get(url).get_data(as_text=True)
        assert "The practice reads messages on weekdays." in page
        assert "Messages are not watched around the clock." in page
        assert "call your local emergency number." in page
        assert '<a href="tel:999">Call 999 (UK)</a>' in page  # numbers are links to call
    own = clinician.submit(
        "/messages/settings",
        {"notices": "immediate", "availability_note": "I reply within two working days."},
    )
    assert own.status_code == 302
    page = injured.get("/messages/private").get_data(as_text=True)
    assert "I reply within two working days." in page
    assert "The practice reads messages on weekdays." not in page


def test_control_characters_are_refused_with_the_words_kept(
    app: Flask, world: World, as_user
) -> None:
    injured = as_user(INJURED)
    before = _count(app)
    response = _send(injured, "/messages/together", "Before\x00after, and more words.")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Beforeafter, and more words." in html  # shown again without the NUL
    assert _count(app) == before


def test_another_couples_conversation_is_not_found(app: Flask, world: World, as_user) -> None:
    other = as_user("b@clinic.test")
    for thread in ("injured", "involved", "together"):
        url = f"/couples/{world.couple_a}/messages/{thread}"
        assert other.get(url).status_code == 404
        assert other.submit(url, {"body": "hello", "submit_key": thread}).status_code == 404
        assert other.get(f"{url}/updates").status_code == 404
    assert _count(app, author_role="clinician", couple_id=world.couple_a) == 1
