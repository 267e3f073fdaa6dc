"""Cost of scheduling production: ours against Odoo's own planning.

On the same 40 make-to-order manufacturing orders of 2 operations each (from 40
confirmed sales orders), plans every order:

- ours: ``mrp.production.action_schedule()`` on the recordset;
- Odoo's: ``mrp.production.button_plan()`` on the same recordset.

Each round measures both from the same unplanned state (rolled back between),
prints the medians of queries and time and their ratios (target: ours at least
5 times faster and with 5 times fewer queries). Then a scale run schedules
250, 500 and 1,000 orders of 3 operations and prints the time per order, which
must stay flat (near-linear growth). Everything is rolled back.

    python3 bench/scheduling.py -d <database with sale_fulfillment> [--orders 40]
        [--scale 250,500,1000] [--profile]

`make bench` runs it on a scratch database.
"""

import statistics
import time
from collections import Counter

from common import parse_args, superuser_env

from odoo import Command


def make_fixture(env, operations):
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench workshop",
            "tz": "UTC",
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": f"{day} {start}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": end,
                        "day_period": period,
                    }
                )
                for day in range(5)
                for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
            ],
        }
    )
    workcenters = env["mrp.workcenter"].create(
        [
            {
                "name": f"Bench center {index}",
                "resource_calendar_id": calendar.id,
                "time_start": 0,
                "time_stop": 0,
                "parallel_units": 2 if index else 1,
            }
            for index in range(operations)
        ]
    )
    component = env["product.product"].create(
        {"name": "Bench component", "type": "consu", "is_storable": True}
    )
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    env["stock.quant"]._update_available_quantity(
        component, warehouse.lot_stock_id, 100000
    )
    env.ref("stock.route_warehouse0_mto").action_unarchive()
    product = env["product.product"].create(
        {
            "name": "Bench kit",
            "type": "consu",
            "is_storable": True,
            "route_ids": [
                Command.set(
                    [
                        env.ref("stock.route_warehouse0_mto").id,
                        env.ref("mrp.route_warehouse0_manufacture").id,
                    ]
                )
            ],
        }
    )
    env["mrp.bom"].create(
        {
            "product_tmpl_id": product.product_tmpl_id.id,
            "bom_line_ids": [Command.create({"product_id": component.id})],
            "operation_ids": [
                Command.create(
                    {
                        "name": f"Step {index}",
                        "workcenter_id": workcenter.id,
                        "time_mode": "manual",
                        "time_cycle_manual": 30 + 15 * index,
                        "sequence": index,
                    }
                )
                for index, workcenter in enumerate(workcenters)
            ],
        }
    )
    return product


def sold_productions(env, product, count):
    # Orders go straight to production: no review hold.
    env["sale.review.rule"].search([]).action_archive()
    partner = env["res.partner"].create({"name": "Bench customer"})
    now = env.cr.now()
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "commitment_date": now.replace(day=1, month=1, year=now.year + 1)
                if index % 3
                else False,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": 1 + index % 4}
                    )
                ],
            }
            for index in range(count)
        ]
    )
    orders.action_confirm()
    productions = orders._get_fulfillment_productions()
    assert len(productions) == count, "every order has its production"
    return productions


def made_productions(env, product, count):
    productions = env["mrp.production"].create(
        [
            {"product_id": product.id, "product_qty": 1 + index % 4}
            for index in range(count)
        ]
    )
    productions.action_confirm()
    return productions


def measure(env, action, profile=None):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    execute = type(env.cr).execute
    if profile is not None:

        def logging_execute(cr, query, params=None, log_exceptions=True):
            text = str(query.code if hasattr(query, "code") else query)
            profile[" ".join(text.split())[:90]] += 1
            return execute(cr, query, params, log_exceptions)

        type(env.cr).execute = logging_execute
    start = time.perf_counter()
    try:
        action()
        env.flush_all()
    finally:
        type(env.cr).execute = execute
    return env.cr.sql_log_count - queries, time.perf_counter() - start


def main():
    args = parse_args(
        __doc__,
        (("--orders",), {"type": int, "default": 40}),
        (("--scale",), {"default": "250,500,1000"}),
        (("--profile",), {"action": "store_true"}),
    )
    with superuser_env(args.database) as env:
        product = make_fixture(env, operations=2)
        productions = sold_productions(env, product, args.orders)
        env.flush_all()
        ours, odoo = [], []
        profile = Counter() if args.profile else None
        for _round in range(args.rounds):
            for label, results, action in (
                ("ours", ours, productions.action_schedule),
                ("odoo", odoo, productions.button_plan),
            ):
                with env.cr.savepoint() as savepoint:
                    results.append(
                        measure(env, action, profile if label == "ours" else None)
                    )
                    assert all(productions.mapped("is_planned")), label
                    env.flush_all()
                    savepoint.rollback()
                env.invalidate_all()
        ours_queries = statistics.median(result[0] for result in ours)
        odoo_queries = statistics.median(result[0] for result in odoo)
        ours_time = statistics.median(result[1] for result in ours)
        odoo_time = statistics.median(result[1] for result in odoo)
        print(
            f"{args.orders} orders x 2 operations: ours {ours_queries} queries "
            f"{ours_time * 1000:.0f} ms; button_plan {odoo_queries} queries "
            f"{odoo_time * 1000:.0f} ms"
        )
        print(
            f"ratios (Odoo / ours): {odoo_queries / ours_queries:.1f}x fewer queries, "
            f"{odoo_time / ours_time:.1f}x faster (target: >= 5x both)"
        )
        if profile:
            for text, count in profile.most_common(25):
                print(f"{count:5d}  {text}")
    if args.scale:
        with superuser_env(args.database) as env:
            product = make_fixture(env, operations=3)
            for count in (int(value) for value in args.scale.split(",")):
                productions = made_productions(env, product, count)
                with env.cr.savepoint() as savepoint:
                    queries, seconds = measure(env, productions.action_schedule)
                    savepoint.rollback()
                env.invalidate_all()
                print(
                    f"scale: {count} orders x 3 operations: {seconds:.2f} s "
                    f"({seconds / count * 1000:.1f} ms per order), {queries} queries"
                )
                productions.action_cancel()


if __name__ == "__main__":
    main()
