"""Calendar feeds and files for clinicians and partners (RFC 5545, through icalendar)."""
