def id_key(record):
    """Sort key ordering records by id that new records take too.

    Forms compute on new records, whose ``NewId`` does not compare with the
    integer ids of saved ones. Saved records, and new records standing for a
    saved one, sort by that id; records never saved come last, in their
    order (the sort is stable).
    """
    origin_id = record._origin.id
    return (not origin_id, origin_id or 0)
