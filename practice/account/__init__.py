"""A person's own account: their password and where they are signed in."""
