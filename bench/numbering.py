"""Cost of numbering orders with a scheme.

Creates 500 one-line quotations of a channel numbered by a dated scheme
(prefix, day, counter), then 500 of a channel no scheme numbers (Odoo's own
``sale.order`` sequence), in one database and one run, alternating rounds: once
as one batch of 500, once as 500 single creations (one per saved form). Prints
the ratio of queries and of time (target: at most 1.1). Everything is rolled
back.

    python3 bench/numbering.py -d <database with sale_fulfillment> [--rounds 3]

`make bench` runs it on a scratch database.
"""

import statistics

from common import measure, parse_args, superuser_env

from odoo import Command

ORDERS = 500


def create_orders(env, partner, product, medium, batch):
    vals_list = [
        {
            "partner_id": partner.id,
            "medium_id": medium.id,
            "order_line": [Command.create({"product_id": product.id})],
        }
        for _i in range(ORDERS)
    ]
    Order = env["sale.order"]
    if batch:
        return Order.create(vals_list)
    return Order.concat(*(Order.create(vals) for vals in vals_list))


def main():
    args = parse_args(__doc__)
    with superuser_env(args.database) as env:
        env.company.sale_numbering_enabled = True
        env["sale.order.numbering"].search([]).active = False
        partner = env["res.partner"].create({"name": "Bench Numbering Customer"})
        product = env["product.product"].create(
            {"name": "Bench Numbering product", "type": "consu", "list_price": 10}
        )
        numbered, plain = env["utm.medium"].create(
            [{"name": "Bench Numbered"}, {"name": "Bench Plain"}]
        )
        scheme = env["sale.order.numbering"].create(
            {
                "name": "Bench dated",
                "numbering_type": "dated",
                "prefix": "B-",
                "separator": "-",
                "padding": 5,
                "medium_id": numbered.id,
            }
        )
        # Warm the caches and create today's counter.
        create_orders(env, partner, product, numbered, batch=True)
        create_orders(env, partner, product, plain, batch=True)

        print(f"Numbering {ORDERS} orders, median of {args.rounds} rounds")
        for batch, label in ((True, "one create"), (False, f"{ORDERS} creates")):
            results = {"scheme": [], "odoo": []}
            for _round in range(args.rounds):
                for key, medium in (("scheme", numbered), ("odoo", plain)):
                    cost, orders = measure(
                        env,
                        lambda medium=medium, batch=batch: create_orders(
                            env, partner, product, medium, batch
                        ),
                    )
                    expected = scheme if key == "scheme" else scheme.browse()
                    assert orders.numbering_id == expected, key
                    results[key].append(cost)
            queries = {
                key: statistics.median(q for q, _s in costs)
                for key, costs in results.items()
            }
            seconds = {
                key: statistics.median(s for _q, s in costs)
                for key, costs in results.items()
            }
            print(
                f"  {label:>12}: dated scheme {queries['scheme']:.0f} queries "
                f"{seconds['scheme']:.2f} s; Odoo's sequence "
                f"{queries['odoo']:.0f} queries {seconds['odoo']:.2f} s; "
                f"ratio queries {queries['scheme'] / queries['odoo']:.2f}, "
                f"time {seconds['scheme'] / seconds['odoo']:.2f} (target: <= 1.1)"
            )


if __name__ == "__main__":
    main()
