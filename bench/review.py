"""Cost of the order review at confirmation.

Confirms 20 ten-line orders with every review rule type active, then the same 20
orders with no rule, in one database and one run, alternating rounds, and prints
the ratio of queries and of time (target: at most 1.15). Rules are set so that no
order is held: both runs confirm everything, so only the review itself differs.
Everything is rolled back.

    python3 bench/review.py -d <database with sale_fulfillment> [--rounds 3]

`make bench` runs it on a scratch database.
"""

import statistics
import time

from common import parse_args, superuser_env

from odoo import Command

ORDERS, LINES = 20, 10

RULES = [
    ("credit_limit", {}),
    ("amount_above", {"threshold": 1e12}),
    ("discount_above", {"threshold": 99}),
    ("margin_below", {"threshold": 0}),
    ("price_below_floor", {}),
    ("stock_shortage", {}),
    ("late_delivery", {}),
    ("incomplete_address", {}),
    ("duplicate_order", {"window_hours": 24}),
    ("blacklisted_partner", {}),
    ("customer_note", {}),
    ("unpaid_prepayment", {}),
    ("domain", {"check_domain": "[('id', '=', 0)]"}),
]


def make_orders(env, partner, products, round_no):
    # Quantities differ per order so that the duplicate rule finds nothing.
    return env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "require_payment": False,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1 + order_no + round_no * ORDERS,
                        }
                    )
                    for product in products
                ],
            }
            for order_no in range(ORDERS)
        ]
    )


def measure(env, orders):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    orders.action_confirm()
    env.flush_all()
    elapsed = time.perf_counter() - start
    assert set(orders.mapped("state")) == {"sale"}, "an order was held"
    return env.cr.sql_log_count - queries, elapsed


def main():
    args = parse_args(__doc__)
    with superuser_env(args.database) as env:
        # Review on first: with no rule active it would activate the defaults.
        env.company.sale_review_enabled = True
        Rule = env["sale.review.rule"].with_context(active_test=False)
        Rule.search([]).active = False
        rules = Rule.create(
            [
                {"name": f"bench {rule_type}", "rule_type": rule_type, **vals}
                for rule_type, vals in RULES
            ]
        )
        partner = env["res.partner"].create(
            {
                "name": "Bench Customer",
                "street": "1 Bench Road",
                "city": "Hangzhou",
                "zip": "310000",
                "country_id": env.ref("base.cn").id,
                "phone": "+86 571 0000 0000",
                "email": "bench@example.com",
            }
        )
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench product {i}",
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 100,
                    "standard_price": 40,
                }
                for i in range(LINES)
            ]
        )
        stock = env.ref("stock.stock_location_stock")
        for product in products:
            env["stock.quant"]._update_available_quantity(product, stock, 1e6)

        results = {"rules": [], "none": []}
        for round_no in range(args.rounds):
            for label, active in (("rules", True), ("none", False)):
                rules.active = active
                orders = make_orders(env, partner, products, 2 * round_no + active)
                results[label].append(measure(env, orders))

    with_q = statistics.median(q for q, _t in results["rules"])
    without_q = statistics.median(q for q, _t in results["none"])
    with_t = statistics.median(t for _q, t in results["rules"])
    without_t = statistics.median(t for _q, t in results["none"])
    print(
        f"Confirming {ORDERS} orders of {LINES} lines, median of {args.rounds} rounds"
    )
    print(f"  queries: {with_q} with {len(RULES)} rules, {without_q} without")
    print(f"  time:    {with_t:.3f} s with rules, {without_t:.3f} s without")
    print(
        f"  query ratio {with_q / without_q:.3f}, time ratio {with_t / without_t:.3f}"
    )
    print("  target: both at most 1.15")


if __name__ == "__main__":
    main()
