"""Cost of the digest KPIs at 10,000 and 100,000 orders.

Builds one real order through Odoo (confirmed and shipped), clones it with SQL
into 10,000 orders of 2,000 customers over one month (three channels and orders
without one; every other order asked to rate it, a third of them rated through
Odoo's `rating.rating`), computes the KPIs of the month, then grows the month
to 100,000 orders and computes them again. Beside
each, Odoo's own Sales Analysis (`sale.report`) sums the same orders' revenue,
measured in the same run. Prints queries and seconds of both: the KPIs' query
count must not change with the number of orders. Everything is rolled back.

    python3 bench/kpis.py -d <database with sale_fulfillment> [--rounds 3]

`make bench` runs it on a scratch database.
"""

import statistics
from datetime import date, datetime

from common import measure, parse_args, superuser_env

from odoo import Command

CUSTOMERS = 2000
SIZES = (10_000, 100_000)
MONTH = (date(2026, 3, 1), date(2026, 3, 31))


def columns(env, table):
    env.cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = %s AND column_name != 'id'
        """,
        [table],
    )
    return [row[0] for row in env.cr.fetchall()]


def clone(env, table, template_where, overrides, source_join=""):
    """INSERT INTO ``table`` a copy of the template rows for each row of
    ``source_join``, with ``overrides`` {column: SQL expression}."""
    names = columns(env, table)
    select = ", ".join(overrides.get(name, f't."{name}"') for name in names)
    quoted = ", ".join(f'"{name}"' for name in names)
    env.cr.execute(
        f"INSERT INTO {table} ({quoted}) SELECT {select} "
        f"FROM {table} t {source_join} WHERE {template_where}"
    )


def template_order(env, partner, product):
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [Command.create({"product_id": product.id})],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    picking.move_ids.quantity = 1
    picking.move_ids.picked = True
    picking.button_validate()
    env.flush_all()
    return order


def grow(env, template, partners, media, first, count):
    """Clone ``template`` into orders ``first`` .. ``first + count - 1``."""
    env.cr.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_numbers (n int, partner_id int)"
    )
    env.cr.execute("TRUNCATE bench_numbers")
    env.cr.execute(
        """
        INSERT INTO bench_numbers
        SELECT n, (%s::int[])[1 + n %% %s]
          FROM generate_series(%s, %s) n
        """,
        [partners.ids, len(partners), first, first + count - 1],
    )
    spread = "TIMESTAMP '2026-03-01' + (b.n % 2592000) * INTERVAL '1 second'"
    clone(
        env,
        "sale_order",
        f"t.id = {template.id}",
        {
            "name": "'BENCH' || b.n",
            "partner_id": "b.partner_id",
            "partner_invoice_id": "b.partner_id",
            "partner_shipping_id": "b.partner_id",
            "date_order": spread,
            "amount_untaxed": "10 + b.n % 500",
            "amount_total": "10 + b.n % 500",
            "procurement_group_id": "NULL",
            # Three channels, and every fourth order without one.
            "medium_id": f"(ARRAY[{', '.join(map(str, media.ids))}, NULL]::int[])"
            "[1 + b.n % 4]",
            # Every other order asked to rate, the day after it was placed.
            "rating_request_sent_on": f"CASE WHEN b.n % 2 = 0 THEN {spread} "
            "+ INTERVAL '1 day' END",
        },
        "CROSS JOIN bench_numbers b",
    )
    orders = (
        "(SELECT id, substr(name, 6)::int AS n FROM sale_order"
        " WHERE name LIKE 'BENCH%')"
    )
    clone(
        env,
        "sale_order_line",
        f"t.order_id = {template.id}",
        {"order_id": "o.id"},
        f"CROSS JOIN {orders} o JOIN bench_numbers b ON b.n = o.n",
    )
    # Every other order shipped, on the day after it was placed.
    clone(
        env,
        "stock_move",
        "t.sale_line_id IN "
        f"(SELECT id FROM sale_order_line WHERE order_id = {template.id})",
        {
            "sale_line_id": "l.id",
            "picking_id": "NULL",
            "group_id": "NULL",
            "date": "o2.date_order + INTERVAL '1 day'",
        },
        f"CROSS JOIN {orders} o JOIN bench_numbers b ON b.n = o.n AND b.n % 2 = 0 "
        "JOIN sale_order o2 ON o2.id = o.id "
        "JOIN sale_order_line l ON l.order_id = o.id",
    )
    # Two thirds of the asked orders answered (1, 3 or 5), the others still
    # pending (a rating of 0), as Odoo's rating requests leave them.
    model_id = env["ir.model"]._get_id("sale.order")
    env.cr.execute(
        """
        INSERT INTO rating_rating (res_model_id, res_model, res_id, partner_id,
                                   rating, rating_text, consumed, access_token,
                                   create_date, write_date)
        SELECT %s, 'sale.order', asked.id, asked.partner_id, asked.value,
               CASE asked.value WHEN 5 THEN 'top' WHEN 3 THEN 'ok'
                                WHEN 1 THEN 'ko' ELSE 'none' END,
               asked.value > 0, md5(asked.id::text), NOW(), NOW()
          FROM (
                SELECT o.id, o.partner_id,
                       (ARRAY[0, 1, 3, 5, 5, 0])[1 + (b.n / 2) %% 6] AS value
                  FROM sale_order o
                  JOIN bench_numbers b ON 'BENCH' || b.n = o.name
                 WHERE b.n %% 2 = 0
          ) asked
        """,
        [model_id],
    )
    # As autovacuum would after such a load: without statistics PostgreSQL
    # plans the view for the empty tables it last saw.
    env.cr.execute(
        "ANALYZE sale_order, sale_order_line, stock_move, res_partner, "
        "stock_location, rating_rating"
    )
    env.invalidate_all()


def main():
    args = parse_args(__doc__)
    with superuser_env(args.database) as env:
        env["sale.review.rule"].search([]).active = False
        partners = env["res.partner"].create(
            [{"name": f"Bench Customer {n}"} for n in range(CUSTOMERS)]
        )
        product = env["product.product"].create(
            {"name": "Bench KPI product", "type": "consu", "list_price": 10}
        )
        template = template_order(env, partners[0], product)
        media = env["utm.medium"].create(
            [{"name": f"Bench Channel {n}"} for n in range(3)]
        )
        digest = env["sale.fulfillment.digest"].create({"name": "Bench", "tz": "UTC"})
        start, end = datetime(2026, 3, 1), datetime(2026, 4, 1)
        made = 0
        print(f"Digest KPIs of one month, median of {args.rounds} rounds")
        rows = []
        for size in SIZES:
            grow(env, template, partners, media, made + 1, size - made)
            made = size
            ours, odoo_own = [], []
            for _round in range(args.rounds):
                (queries, seconds), kpis = measure(
                    env, lambda: digest._compute_kpis(*MONTH)
                )
                ours.append((queries, seconds))
                (o_queries, o_seconds), _rows = measure(
                    env,
                    lambda: env["sale.report"]._read_group(
                        [
                            ("state", "=", "sale"),
                            ("date", ">=", start),
                            ("date", "<", end),
                        ],
                        aggregates=["price_subtotal:sum", "__count"],
                    ),
                )
                odoo_own.append((o_queries, o_seconds))
            assert kpis["order_count"] == size, kpis["order_count"]
            assert kpis["ratings_requested"] == size // 2, kpis["ratings_requested"]
            assert len(kpis["by_channel"]) == 4, kpis["by_channel"]
            rows.append(
                (
                    size,
                    statistics.median(q for q, _s in ours),
                    statistics.median(s for _q, s in ours),
                    statistics.median(q for q, _s in odoo_own),
                    statistics.median(s for _q, s in odoo_own),
                )
            )
        for size, queries, seconds, o_queries, o_seconds in rows:
            print(
                f"  {size:>7} orders: KPIs {queries} queries {seconds:.3f} s; "
                f"Odoo's sale.report revenue {o_queries} queries {o_seconds:.3f} s; "
                f"time ratio {seconds / o_seconds:.2f}"
            )
        first, last = rows[0], rows[-1]
        print(
            f"  query count {first[1]} -> {last[1]} (target: unchanged); "
            f"time x{last[2] / first[2]:.1f} for x{last[0] // first[0]} orders"
        )


if __name__ == "__main__":
    main()
