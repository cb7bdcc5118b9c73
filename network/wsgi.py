"""The web's entry point (gunicorn network.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
# Web requests get the short statement and lock timeouts (network.settings, "Database"), so a
# hung database answers 503 within seconds instead of holding the worker; commands and the
# task cluster, which start through manage.py, do not.
os.environ.setdefault("DATABASE_WEB_TIMEOUTS", "1")
application = get_wsgi_application()
