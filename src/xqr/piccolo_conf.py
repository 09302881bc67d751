"""Piccolo's configuration: the engine comes from XQR_DATABASE_URL."""

from piccolo.conf.apps import AppRegistry

from xqr.db import make_engine
from xqr.settings import get_settings

DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["xqr.piccolo_app"])
