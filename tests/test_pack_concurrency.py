from functools import partial

import psycopg2

from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from .common import ConcurrencyCase, create_barcoded_products, create_delivery


@tagged("post_install", "-at_install")
class TestPackConcurrency(ConcurrencyCase):
    """Two packers scanning the same delivery at the same time, each in a
    transaction of their own as two scanners' requests would be."""

    def setUp(self):
        super().setUp()
        with self._transaction() as env:
            products = create_barcoded_products(
                env,
                [
                    ("Concurrent Cup", "CONC-CUP", 0.0),
                    ("Concurrent Tray", "CONC-TRAY", 0.0),
                ],
                stock=5,
            )
            picking = create_delivery(env, [(product, 1) for product in products])
            env.cr.commit()
            self.picking_id = picking.id
            self.product_ids = products.ids
            self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self._transaction() as env:
            picking = env["stock.picking"].browse(self.picking_id)
            picking.pack_scan_ids.unlink()
            picking.action_cancel()
            picking.move_ids.unlink()
            picking.unlink()
            products = env["product.product"].browse(self.product_ids)
            env["stock.quant"].search([("product_id", "in", products.ids)]).unlink()
            products.unlink()
            env.cr.commit()

    def _counted(self):
        with self._transaction() as env:
            lines = env["stock.picking"].browse(self.picking_id).move_line_ids
            return sum(lines.mapped("pack_qty_counted"))

    def test_the_same_unit_scanned_by_two_packers_counts_once(self):
        with self._two_transactions() as (first, second):
            late = second["stock.picking"].browse(self.picking_id)
            # The second packer's request started before the first one's scan.
            self.assertEqual(late.verify_state, "none")
            reply = first["stock.picking"].browse(self.picking_id).pack_scan("CONC-CUP")
            self.assertEqual(reply["status"], "ok")
            first.cr.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                late.pack_scan("CONC-CUP")
            second.cr.rollback()
            # Odoo replays a request that met a concurrent update: the replay
            # sees the first count and refuses the second unit.
            reply = retrying(partial(late.pack_scan, "CONC-CUP"), second)
            self.assertEqual((reply["status"], reply["code"]), ("error", "too_many"))
            second.cr.commit()
        self.assertEqual(self._counted(), 1)

    def test_two_packers_on_different_lines_both_count(self):
        with self._two_transactions() as (first, second):
            late = second["stock.picking"].browse(self.picking_id)
            self.assertEqual(late.verify_state, "none")
            first["stock.picking"].browse(self.picking_id).pack_scan("CONC-CUP")
            first.cr.commit()
            reply = retrying(partial(late.pack_scan, "CONC-TRAY"), second)
            second.cr.commit()
            self.assertEqual(reply["status"], "done")
        self.assertEqual(self._counted(), 2)

    def test_a_scan_waits_for_the_other_packer_and_then_gives_up_clearly(self):
        with self._two_transactions() as (first, second):
            first["stock.picking"].browse(self.picking_id).pack_scan("CONC-CUP")
            # The first scan is not committed yet: the second waits for it,
            # here up to the 3 s lock timeout, then says so.
            with self.assertRaisesRegex(UserError, "Somebody else is working"):
                second["stock.picking"].browse(self.picking_id).pack_scan("CONC-TRAY")
            second.cr.rollback()
            first.cr.commit()
        self.assertEqual(self._counted(), 1)
