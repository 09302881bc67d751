"""The Piccolo app holding every xqr table and its migrations."""

import pkgutil
from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

from xqr import tables

# Each domain keeps its tables in its own module under xqr.tables.
TABLE_MODULES = sorted(f"xqr.tables.{module.name}" for module in pkgutil.iter_modules(tables.__path__))

APP_CONFIG = AppConfig(
    app_name="xqr",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
