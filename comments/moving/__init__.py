"""Moving to Newsroom and away from it: imports from WordPress (wordpress.py,
reading wxr.py's stream) keep threads, statuses, dates and old links."""
