"""Numbers a clinician can trust: boundary adherence, check-in trends and flags.

Plain functions over plain data (no Flask, no sessions): the web pages, the PDF reports and the
CLI all call `analyse`. `loading.load_couple_data` is the one place that reads the database for
it, in a fixed number of queries whatever the length of history.
"""
