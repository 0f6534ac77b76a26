"""Superset's configuration for the retention warehouse (scripts/superset.sh sets SUPERSET_CONFIG_PATH).

State (metadata database, secret key) lives in CS_SUPERSET_HOME, never in the repository.
"""

import os
from pathlib import Path

_HOME = Path(os.environ["CS_SUPERSET_HOME"])
SECRET_KEY = (_HOME / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_HOME / 'superset.db'}"

# Every chart reads the warehouse when it is shown: no result cache, so a publish shows at once.
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

# One process serving 127.0.0.1; no Celery, no Redis.
SUPERSET_WEBSERVER_TIMEOUT = 120
TALISMAN_ENABLED = False  # served on 127.0.0.1 only, over plain http


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):  # noqa: N802 (Superset's name)
    """Open the published warehouse's newest version, not the link to it.

    The published path is a link to ``<stem>.v<n>.duckdb`` (dagster_project/assets/publish.py).
    DuckDB shares one database instance per path inside a process: opened by the link's path,
    a connection made while an older one is still open would read the older version. Superset
    makes an engine per query (NullPool), so resolving the link here makes every query read the
    latest publish.
    """
    if uri.drivername == "duckdb" and uri.database and uri.database != ":memory:":
        uri = uri.set(database=os.path.realpath(uri.database))
    return uri, params
