"""Two-step sign-in: a code from an authenticator app (TOTP) or a one-time recovery code."""
