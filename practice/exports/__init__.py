"""Exports of what people wrote, and deleting closed couples' records after the retention time."""
