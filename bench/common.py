"""What every bench script shares: its command line and a rolled-back database."""

import argparse
import time
from contextlib import contextmanager

import odoo
from odoo.tools import config


def parse_args(doc, *arguments):
    """Parse ``-d``/``--addons-path``/``--rounds`` plus ``arguments``
    (``(flags, keyword arguments)`` pairs) and point Odoo at the database."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path")
    parser.add_argument("--rounds", type=int, default=3)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    args = parser.parse_args()
    options = ["-d", args.database, "--log-level=warn"]
    if args.addons_path:
        options.append(f"--addons-path={args.addons_path}")
    config.parse_config(options)
    return args


def measure(env, action):
    """``((queries, seconds), result)`` of ``action()``, from a cold record
    cache as a new request would start, its writes flushed."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    result = action()
    env.flush_all()
    return (env.cr.sql_log_count - queries, time.perf_counter() - start), result


@contextmanager
def superuser_env(database):
    """An environment on ``database`` whose changes are all rolled back."""
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        try:
            yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        finally:
            cr.rollback()
