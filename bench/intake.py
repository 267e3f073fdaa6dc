"""Cost of importing a marketplace export against Odoo's own order creation.

Imports a CSV export of 1,000 orders of two lines each (2,000 rows, the
English marketplace template: new buyers, provinces without their suffix,
products by internal reference) through *Import Orders* (``action_check()``
then ``action_import()``: reading, checking, matching, creating the customers,
their delivery addresses and the orders, confirming them), and creates the
same orders with Odoo's own code in one batch: ``res.partner.create`` for the
customers and their addresses, ``sale.order.create`` for the orders, then
``action_confirm()``. Same database, same run, alternating rounds; each round
is rolled back. Prints the ratio of queries and of time (target: at most 1.5).
The order review and allocation are off for both (they have their own
benches).

Memory: imports files of growing size (``--memory-rows``) and prints the peak
of Python allocations (tracemalloc) and the records left in the ORM cache after
each import: flat in the file size, as the file is streamed and each chunk of
orders leaves the cache.

    python3 bench/intake.py -d <database with sale_fulfillment> [--orders 1000]
        [--rounds 3] [--memory-rows 2000,8000]

`make bench` runs it on a scratch database.
"""

import base64
import csv
import io
import statistics
import tracemalloc

from common import measure, parse_args, superuser_env

from odoo import Command

TARGET = 1.5
PROVINCES = ("浙江", "广东", "江苏", "北京", "上海", "四川", "广西", "内蒙")
HEADERS = (
    "Order ID",
    "Order Date",
    "Recipient",
    "Phone",
    "Province/State",
    "City",
    "District",
    "Address",
    "Zip",
    "SKU",
    "Quantity",
    "Unit Price",
    "Line ID",
)


def make_products(env, count=20):
    return env["product.product"].create(
        [
            {
                "name": f"Bench Intake Product {i}",
                "default_code": f"BI-{i:03d}",
                "type": "consu",
                "list_price": 10.0 + i,
            }
            for i in range(count)
        ]
    )


def make_orders(products, count, prefix):
    """``count`` platform orders of two lines each, as rows of the export."""
    rows = []
    for i in range(count):
        ref = f"{prefix}{i:012d}"
        province = PROVINCES[i % len(PROVINCES)]
        for n in range(2):
            product = products[(i + n * 7) % len(products)]
            rows.append(
                {
                    "Order ID": ref,
                    "Order Date": "2026-12-01 10:30:00",
                    "Recipient": f"买家{i}",
                    "Phone": f"139{prefix[-4:]}{i:04d}",
                    "Province/State": province,
                    "City": "某市",
                    "District": "某区",
                    "Address": f"幸福路 {i} 号",
                    "Zip": "310000",
                    "SKU": product.default_code,
                    "Quantity": str(1 + n),
                    "Unit Price": f"{product.list_price:.2f}",
                    "Line ID": f"{ref}-{n}",
                }
            )
    return rows


def csv_file(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerows(rows)
    return base64.b64encode(buffer.getvalue().encode("utf-8"))


def import_file(env, template, rows, data=None):
    record = env["sale.order.import"].create(
        {
            "template_id": template.id,
            "file": data or csv_file(rows),
            "filename": "bench.csv",
        }
    )
    record.action_check()
    record.action_import()
    return record


def odoo_create(env, rows):
    """The same customers, addresses and orders with Odoo's own code."""
    Partner = env["res.partner"]
    products = {
        product.default_code: product
        for product in env["product.product"].search(
            [("default_code", "=like", "BI-%")]
        )
    }
    states = {
        state.name[:2]: state
        for state in env["res.country.state"].search(
            [("country_id", "=", env.ref("base.cn").id)]
        )
    }
    orders = {}
    for row in rows:
        orders.setdefault(row["Order ID"], []).append(row)
    firsts = [lines[0] for lines in orders.values()]
    customers = Partner.create(
        [
            {
                "name": row["Recipient"],
                "phone": row["Phone"],
                "customer_rank": 1,
                "country_id": env.ref("base.cn").id,
            }
            for row in firsts
        ]
    )
    addresses = Partner.create(
        [
            {
                "name": row["Recipient"],
                "phone": row["Phone"],
                "parent_id": customer.id,
                "type": "delivery",
                "street": row["Address"],
                "street2": row["District"],
                "city": row["City"],
                "zip": row["Zip"],
                "state_id": states[row["Province/State"][:2]].id,
                "country_id": env.ref("base.cn").id,
            }
            for row, customer in zip(firsts, customers, strict=True)
        ]
    )
    created = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "partner_shipping_id": address.id,
                "client_order_ref": ref,
                "order_line": [
                    Command.create(
                        {
                            "product_id": products[row["SKU"]].id,
                            "product_uom_qty": float(row["Quantity"]),
                            "price_unit": float(row["Unit Price"]),
                        }
                    )
                    for row in lines
                ],
            }
            for (ref, lines), customer, address in zip(
                orders.items(), customers, addresses, strict=True
            )
        ]
    )
    created.action_confirm()
    return created


def round_trip(env, action):
    """``(queries, seconds)`` of ``action()``, rolled back afterwards."""
    savepoint = env.cr.savepoint()
    try:
        cost, _result = measure(env, action)
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    return cost


def cache_size(env):
    return sum(len(ids) for ids in env.cache._data.values())


def main():
    args = parse_args(
        __doc__,
        (("--orders",), {"type": int, "default": 1000}),
        (("--memory-rows",), {"default": "2000,8000"}),
    )
    with superuser_env(args.database) as env:
        env.company.write(
            {"sale_review_enabled": False, "sale_allocation_enabled": False}
        )
        template = env.ref("sale_fulfillment.sale_order_import_template_marketplace_en")
        products = make_products(env)
        rows = make_orders(products, args.orders, "8800")
        env.flush_all()
        ours, theirs = [], []
        for _round in range(args.rounds):
            ours.append(round_trip(env, lambda: import_file(env, template, rows)))
            theirs.append(round_trip(env, lambda: odoo_create(env, rows)))
        queries = ours[-1][0] / theirs[-1][0]
        seconds = statistics.median(o[1] for o in ours) / statistics.median(
            t[1] for t in theirs
        )
        print(
            f"intake: {len(rows)} rows ({args.orders} orders): import "
            f"{ours[-1][0]} queries, {statistics.median(o[1] for o in ours):.2f} s; "
            f"Odoo's create {theirs[-1][0]} queries, "
            f"{statistics.median(t[1] for t in theirs):.2f} s"
        )
        verdict = "OK" if max(queries, seconds) <= TARGET else "OVER"
        print(
            f"intake: ratio queries {queries:.3f}, time {seconds:.3f} "
            f"(target <= {TARGET}) {verdict}"
        )
        # Imported here, in this process, whatever their size (not queued for
        # the background cron).
        env["ir.config_parameter"].set_param(
            "sale_fulfillment.order_import_background_rows", 10**9
        )
        for size in (int(n) for n in args.memory_rows.split(",") if n):
            rows = make_orders(products, size // 2, f"77{size:06d}")
            data = csv_file(rows)
            savepoint = env.cr.savepoint()
            try:
                env.invalidate_all()
                tracemalloc.start()
                import_file(env, template, rows, data)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                cached = cache_size(env)
            finally:
                savepoint.close(rollback=True)
                env.invalidate_all()
            print(
                f"intake memory: {size} rows (file {len(data) / 2**20:.1f} MiB in "
                f"base64), peak {peak / 2**20:.1f} MiB, {cached} cached field "
                "values after the import"
            )


if __name__ == "__main__":
    main()
