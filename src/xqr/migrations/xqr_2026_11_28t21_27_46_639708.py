from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-28T21:27:46:639708"
VERSION = "1.38.0"
DESCRIPTION = "registry is_active"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="xqr", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="RegistryEnterprise",
        tablename="registry_enterprise",
        column_name="is_active",
        db_column_name="is_active",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
