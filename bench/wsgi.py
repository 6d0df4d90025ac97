"""The web app the load figure serves (bench/web_load.py): the product's app factory on the
database in KUAIBAN_DATABASE_URL, signing with KUAIBAN_SECRET_KEY, at KUAIBAN_NOW."""

from __future__ import annotations

import os

from engine.api import Engine
from web.app import create_app

app = create_app(Engine(os.environ["KUAIBAN_DATABASE_URL"]),
                 secret_key=os.environ["KUAIBAN_SECRET_KEY"])
