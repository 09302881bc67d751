"""The Piccolo app holding every xqr table and its migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

# Each domain keeps its tables in its own module under xqr.tables.
TABLE_MODULES = [
    "xqr.tables.accounts",
    "xqr.tables.catalogue",
    "xqr.tables.messaging",
]

APP_CONFIG = AppConfig(
    app_name="xqr",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=table_finder(modules=TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
