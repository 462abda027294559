"""Choosing the language Mend speaks to a person."""
