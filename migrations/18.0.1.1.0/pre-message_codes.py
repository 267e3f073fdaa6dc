"""Review issues and pack-station log lines now store a message code and its
parameters, read in each reader's language; their former text column becomes
``message_text``, the text rows written before keep showing."""

from odoo.tools import sql

TABLES = ("sale_review_issue", "stock_pack_scan")


def migrate(cr, version):
    for table in TABLES:
        if sql.column_exists(cr, table, "message") and not sql.column_exists(
            cr, table, "message_text"
        ):
            sql.rename_column(cr, table, "message", "message_text")
