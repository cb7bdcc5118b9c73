"""Settings for the load harness (``make load``): the product's settings, plus the harness's
URLs, which add the two floor endpoints next to the product's own (``tests/load/urls.py``).

Everything else comes from the environment exactly as in production; ``tests/load/run.py`` sets
that environment.
"""

import os

from network.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load.urls"

# The open-loop run (tests/load/openloop.py) serves pages too (the client's status page): with
# DEBUG=0 they need collected, hashed static files, which it collects into its own folder.
if _static_root := os.environ.get("LOAD_STATIC_ROOT"):
    STATIC_ROOT = _static_root
