"""The whole schema: every table module, registered on the one ``metadata`` of
antrian.storage.tables. Import ``metadata`` from here wherever the complete schema matters
(Alembic's environment, the schema drift test); a new table module is added here."""

from __future__ import annotations

from antrian.storage import tables, tables_booking, tables_manager, tables_web

metadata = tables.metadata

__all__ = ["metadata", "tables", "tables_booking", "tables_manager", "tables_web"]
