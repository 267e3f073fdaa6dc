import psycopg2

from odoo.exceptions import UserError


def lock_for_update(records, message, strength="UPDATE"):
    """Lock ``records`` for the rest of the transaction, without waiting.

    ``strength`` is the row lock: ``"NO KEY UPDATE"`` still lets others insert
    rows that reference the locked ones.

    When another transaction holds one of them, raise ``UserError(message)``
    instead: the second user learns at once that somebody else is changing the
    same documents, and nothing of theirs is written. The records' cache is
    invalidated so that what follows reads the committed values.
    """
    if not records:
        return records
    try:
        with records.env.cr.savepoint(flush=False):
            records.env.cr.execute(
                f'SELECT id FROM "{records._table}" WHERE id IN %s '
                f"FOR {strength} NOWAIT",
                [tuple(records.ids)],
            )
    except psycopg2.errors.LockNotAvailable as error:
        raise UserError(message) from error
    records.invalidate_recordset()
    return records
