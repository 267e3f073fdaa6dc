"""Cost of splitting a large delivery: ours against Odoo's own split.

On the same kind of fully reserved 200-line delivery, moves part of every line to
a new delivery that stays reserved:

- ours: ``stock.picking._split_shipment({move: quantity})``;
- Odoo's: enter the quantity that stays on every line, then
  ``stock.picking.action_split_transfer()`` (which reserves the new delivery
  again).

Alternates the two in each round, prints the medians of queries and time and
their ratios (target: ours at most 3 queries per line, and cheaper than Odoo's).
Everything is rolled back.

    python3 bench/split.py -d <database with sale_fulfillment> [--lines 200]

`make bench` runs it on a scratch database.
"""

import statistics

from common import measure, parse_args, superuser_env

from odoo import Command


def make_delivery(env, partner, products):
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": 10})
                for product in products
            ],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    assert picking.state == "assigned", "the delivery is not fully reserved"
    env.flush_all()
    env.invalidate_all()
    return picking


def moved(index):
    return 1 + index % 9


def ours(env, picking):
    quantities = {move.id: moved(i) for i, move in enumerate(picking.move_ids)}
    return measure(env, lambda: picking._split_shipment(quantities))


def odoos(env, picking):
    moves = list(picking.move_ids)

    def enter_quantities():
        for i, move in enumerate(moves):
            move.quantity = move.product_uom_qty - moved(i)

    entering, _none = measure(env, enter_quantities)
    splitting, _none = measure(env, picking.action_split_transfer)
    new = picking.backorder_ids
    return entering, splitting, new


def check(picking, new):
    lines = len(picking.move_ids)
    assert len(new.move_ids) == lines, "the new delivery misses lines"
    expected = sum(moved(i) for i in range(lines))
    assert sum(new.move_ids.mapped("product_uom_qty")) == expected
    assert sum(new.move_ids.mapped("quantity")) == expected, "new part unreserved"


def main():
    args = parse_args(__doc__, (("--lines",), {"type": int, "default": 200}))
    with superuser_env(args.database) as env:
        env["sale.review.rule"].search([]).active = False
        partner = env["res.partner"].create({"name": "Bench Customer"})
        products = env["product.product"].create(
            [
                {"name": f"Bench item {i}", "type": "consu", "is_storable": True}
                for i in range(args.lines)
            ]
        )
        stock = env.ref("stock.stock_location_stock")
        for product in products:
            env["stock.quant"]._update_available_quantity(product, stock, 1e6)

        results = {"ours": [], "enter": [], "odoo": []}
        for _round in range(args.rounds):
            picking = make_delivery(env, partner, products)
            cost, new = ours(env, picking)
            check(picking, new)
            results["ours"].append(cost)
            picking = make_delivery(env, partner, products)
            entering, splitting, new = odoos(env, picking)
            check(picking, new)
            results["enter"].append(entering)
            results["odoo"].append(splitting)

    def median(label, index):
        return statistics.median(item[index] for item in results[label])

    ours_q, ours_t = median("ours", 0), median("ours", 1)
    odoo_q, odoo_t = median("odoo", 0), median("odoo", 1)
    enter_q, enter_t = median("enter", 0), median("enter", 1)
    print(
        f"Splitting part of every line of a {args.lines}-line reserved delivery, "
        f"median of {args.rounds} rounds"
    )
    print(
        f"  ours:  {ours_q} queries ({ours_q / args.lines:.2f} per line), "
        f"{ours_t:.3f} s"
    )
    print(
        f"  Odoo:  {odoo_q} queries, {odoo_t:.3f} s for action_split_transfer, "
        f"plus {enter_q} queries, {enter_t:.3f} s to enter the quantities"
    )
    print(
        f"  ratio ours/Odoo split: queries {ours_q / odoo_q:.3f}, "
        f"time {ours_t / odoo_t:.3f}"
    )
    print(
        f"  ratio ours/Odoo whole task: queries {ours_q / (odoo_q + enter_q):.3f}, "
        f"time {ours_t / (odoo_t + enter_t):.3f}"
    )
    print("  target: at most 3 queries per line, both ratios below 1")


if __name__ == "__main__":
    main()
