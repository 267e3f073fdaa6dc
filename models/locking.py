from contextlib import nullcontext

import psycopg2

from odoo.exceptions import UserError


def lock_for_update(records, message, strength="UPDATE", nowait=True):
    """Lock ``records`` for the rest of the transaction, without waiting.

    ``strength`` is the row lock: ``"NO KEY UPDATE"`` still lets others insert
    rows that reference the locked ones.

    When another transaction holds one of them, raise ``UserError(message)``
    instead: the second user learns at once that somebody else is changing the
    same documents, and nothing of theirs is written. The records' cache is
    invalidated so that what follows reads the committed values.

    With ``nowait=False`` the lock waits for the other transaction instead (for
    short steps such as one scan, where queueing beats refusing); ``message`` is
    then raised only if the database's lock timeout runs out, and must need no
    database read: the transaction is aborted by then.
    """
    if not records:
        return records
    # Without NOWAIT only the lock timeout can fail the lock, which ends the
    # request anyway: no savepoint is needed to carry on after it.
    try:
        with records.env.cr.savepoint(flush=False) if nowait else nullcontext():
            records.env.cr.execute(
                f'SELECT id FROM "{records._table}" WHERE id IN %s '
                f"FOR {strength}{' NOWAIT' if nowait else ''}",
                [tuple(records.ids)],
            )
    except psycopg2.errors.LockNotAvailable as error:
        raise UserError(message) from error
    records.invalidate_recordset()
    return records
