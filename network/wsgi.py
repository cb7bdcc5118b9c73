"""The web's entry point (gunicorn network.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from network.collector import freeze_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
# Web requests get the short statement and lock timeouts (network.settings, "Database"), so a
# hung database answers 503 within seconds instead of holding the worker; commands and the
# task cluster, which start through manage.py, do not.
os.environ.setdefault("DATABASE_WEB_TIMEOUTS", "1")
application = get_wsgi_application()
# Every view, serializer and form the URLs lead to, imported now: otherwise each worker's first
# request imports them (about 120,000 objects), after the freeze below.
get_resolver().url_patterns  # noqa: B018 -- reading it imports the URL configuration
# What is loaded by now lives as long as the process; out of the collector's reach, a full
# collection walks only the objects requests made (a queue page's collections: 1.1 -> 0.4 ms
# of its CPU), and what the first requests load is frozen after the first full collection
# that finds it (network.collector).
freeze_loaded()
