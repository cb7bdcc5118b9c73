"""Settings for the load harness (``make load``): the product's settings, plus the harness's
URLs, which add the two floor endpoints next to the product's own (``tests/load/urls.py``).

Everything else comes from the environment exactly as in production; ``tests/load/run.py`` sets
that environment.
"""

from network.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load.urls"
