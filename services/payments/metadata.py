"""One schema for the payments service process: school payments (``tables.py``) and the ECF engine
(``ecf/tables.py``) define their own tables on this metadata; they share nothing else. The
platform tables (outbox, processed messages, dead letters) and download links are defined once here."""
from sqlalchemy import MetaData

from shared.platform.db import add_platform_tables
from shared.platform.links import add_links_table

metadata = MetaData()
platform = add_platform_tables(metadata)
download_links = add_links_table(metadata)
