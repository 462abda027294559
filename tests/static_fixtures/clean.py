from sqlalchemy import select, text
from sqlalchemy.engine import make_url


def find(session, User, email: str):
    session.execute(text("SELECT 1 WHERE :email IS NOT NULL"), {"email": email})
    options = dict(make_url("sqlite://").query.items())
    return session.scalars(select(User).where(User.email == email)).first(), options
