"""Session notes: started from the report's data, signed and locked, feeding the next report."""
