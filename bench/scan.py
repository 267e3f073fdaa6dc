"""Cost of one pack-station scan on 30- and 300-line deliveries, against Odoo.

On a reserved delivery whose lines each hold a different product with a
barcode, scans one unit of a product after another:

- ours: ``stock.picking.pack_scan(barcode)`` — finds the line, counts the unit,
  logs the scan and returns everything the screen redraws;
- Odoo's own path for the same step in the delivery form: mark the line
  picked (``stock.move.write``) and read the form back (``web_read`` of the
  delivery with its operations), as the web client does after each change.

Prints, per delivery size, the median server time and queries of one scan and
the ratios ours/Odoo (target: at most 25 queries a scan, the same for 30 and
300 lines). Everything is rolled back.

    python3 bench/scan.py -d <database with sale_fulfillment> [--scans 20]

`make bench` runs it on a scratch database.
"""

import statistics

from common import measure, parse_args, superuser_env

from odoo import Command

FORM_SPEC = {
    "name": {},
    "state": {},
    "partner_id": {"fields": {"display_name": {}}},
    "scheduled_date": {},
    "origin": {},
    "move_ids_without_package": {
        "fields": {
            "product_id": {"fields": {"display_name": {}}},
            "product_uom_qty": {},
            "quantity": {},
            "product_uom": {"fields": {"display_name": {}}},
            "picked": {},
            "state": {},
        }
    },
}


def make_delivery(env, partner, products):
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    customers = env.ref("stock.stock_location_customers")
    picking = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.out_type_id.id,
            "partner_id": partner.id,
            "location_id": warehouse.lot_stock_id.id,
            "location_dest_id": customers.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": 2,
                        "location_id": warehouse.lot_stock_id.id,
                        "location_dest_id": customers.id,
                    }
                )
                for product in products
            ],
        }
    )
    picking.action_confirm()
    picking.action_assign()
    assert picking.state == "assigned", "the delivery is not fully reserved"
    env.flush_all()
    return picking


def ours(env, picking, products, scans):
    picking.pack_scan(products[-1].barcode)  # warm the registry caches
    costs = []
    for product in products[:scans]:
        cost, reply = measure(env, lambda p=product: picking.pack_scan(p.barcode))
        assert reply["status"] == "ok", reply["message"]
        costs.append(cost)
    return costs


def odoos(env, picking, scans):
    moves = list(picking.move_ids)
    picking.web_read(FORM_SPEC)  # warm the registry caches
    costs = []
    for move in moves[:scans]:

        def step(move=move):
            move.write({"picked": True})
            return picking.web_read(FORM_SPEC)

        costs.append(measure(env, step)[0])
    return costs


def main():
    args = parse_args(
        __doc__,
        (("--scans",), {"type": int, "default": 20}),
        (("--sizes",), {"default": "30,300"}),
    )
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"One scan, median of {args.scans} scans per delivery size")
    with superuser_env(args.database) as env:
        partner = env["res.partner"].create({"name": "Bench Pack Customer"})
        products = env["product.product"].create(
            [
                {
                    "name": f"Bench pack item {i}",
                    "type": "consu",
                    "is_storable": True,
                    "barcode": f"BENCH-PACK-{i:04d}",
                    "weight": 0.2,
                }
                for i in range(max(sizes))
            ]
        )
        stock = env.ref("stock.stock_location_stock")
        for product in products:
            env["stock.quant"]._update_available_quantity(product, stock, 1e6)

        for size in sizes:
            lines = products[:size]
            ours_costs = ours(
                env, make_delivery(env, partner, lines), lines, args.scans
            )
            odoo_costs = odoos(env, make_delivery(env, partner, lines), args.scans)
            ours_q = statistics.median(q for q, _t in ours_costs)
            ours_t = statistics.median(t for _q, t in ours_costs)
            odoo_q = statistics.median(q for q, _t in odoo_costs)
            odoo_t = statistics.median(t for _q, t in odoo_costs)
            print(f"  {size} lines:")
            print(f"    ours:  {ours_q:g} queries, {ours_t * 1000:.1f} ms per scan")
            print(
                f"    Odoo (mark picked + read the form): {odoo_q:g} queries, "
                f"{odoo_t * 1000:.1f} ms"
            )
            print(
                f"    ratio ours/Odoo: queries {ours_q / odoo_q:.2f}, "
                f"time {ours_t / odoo_t:.2f}"
            )
    print("  target: at most 25 queries a scan, the same for every size")


if __name__ == "__main__":
    main()
