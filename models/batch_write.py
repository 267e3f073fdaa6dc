def write_per_record(records, vals_list):
    """Write a different value of the same plain stored fields on each record.

    One ``UPDATE ... FROM (VALUES ...)`` (the ORM's own batch update) and one
    ``modified`` for the whole batch, where a loop of ``write`` calls would
    search the dependent records once per record. Only for fields whose
    ``write`` overrides do nothing on these keys.
    """
    if not records:
        return
    # The low-level update checks nothing: check what write() would.
    records.check_access("write")
    fnames = list(vals_list[0])
    records.flush_recordset(fnames)
    records._write_multi(vals_list)
    records.invalidate_recordset(fnames)
    records.modified(fnames)
