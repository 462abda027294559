"""Secure messages between sessions."""
