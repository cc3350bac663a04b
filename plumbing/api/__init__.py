"""Django REST framework parts shared by every app's API: the JSON renderer,
filters, throttles and the error shapes the schema documents."""
