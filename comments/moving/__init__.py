"""Moving to Newsroom and away from it: imports from WordPress (wordpress.py)
and Disqus (disqus.py), reading wxr.py's hardened stream and sharing
records.py, keep threads, statuses, dates and old links; export.py
writes everything as one JSON document (manage.py export_json)."""
