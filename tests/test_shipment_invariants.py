from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ShipmentCase

# One step: (operation, first delivery index, second delivery index, fraction).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["split", "split", "merge", "validate", "availability"]),
        st.integers(min_value=0, max_value=5),
        st.integers(min_value=0, max_value=5),
        st.floats(min_value=0.05, max_value=0.95),
    ),
    min_size=1,
    max_size=8,
)


@tagged("post_install", "-at_install")
class TestShipmentInvariants(ShipmentCase):
    """Random sequences of split, merge, split by availability and partial
    validation never lose or duplicate a quantity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["stock.quant"]._update_available_quantity(
            cls.scarce, cls.stock_location, 9
        )

    def _open_deliveries(self, orders):
        return orders.shipment_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        ).sorted("id")

    def _check_invariants(self, orders):
        for line in orders.order_line:
            open_moves = line.move_ids.filtered(
                lambda m: m.state not in ("done", "cancel")
            )
            self.assertAlmostEqual(
                sum(open_moves.mapped("product_uom_qty")),
                line.product_uom_qty - line.qty_delivered,
                msg=f"{line.product_id.name}: open shipments hold what is left",
            )
        moves = orders.shipment_ids.move_ids
        self.assertEqual(moves.sale_line_id.order_id, orders)
        self.assertFalse(moves.filtered(lambda m: not m.sale_line_id))
        for product in (self.product_a, self.scarce):
            self.assertAlmostEqual(
                self._reserved_on_quants(product), self._reserved_on_lines(product)
            )

    def _step(self, orders, operation, first, second, fraction):
        pickings = self._open_deliveries(orders)
        if not pickings:
            return
        picking = pickings[first % len(pickings)]
        if operation == "split":
            quantities = {
                move.id: max(1, round(move.product_uom_qty * fraction))
                for move in picking._get_splittable_moves()
            }
            try:
                picking._split_shipment(quantities)
            except UserError as error:
                # Only "everything would leave" is a legitimate refusal here.
                self.assertIn("would leave it empty", str(error))
        elif operation == "merge":
            other = pickings[second % len(pickings)]
            if other != picking:
                both = picking | other
                self.assertEqual(both.action_merge_shipments(), both.sorted("id")[0])
        elif operation == "availability":
            picking.action_split_by_availability()
        else:
            self._ship_part(picking, fraction)

    def _ship_part(self, picking, fraction):
        """Ship a part of what is reserved; Odoo makes a backorder of the rest."""
        moves = picking.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        quantities = {move: int(move.quantity * fraction) for move in moves}
        if not any(quantities.values()):
            return
        for move, quantity in quantities.items():
            move.quantity = quantity
            move.picked = True
        action = picking.with_user(self.stock_user).button_validate()
        if action is not True:
            Form.from_action(self.env(user=self.stock_user), action).save().process()

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(steps=STEPS)
    def test_quantities_are_conserved_through_random_operations(self, steps):
        with self.env.cr.savepoint(flush=False) as savepoint:
            try:
                self._run_steps(steps)
                self.env.flush_all()
            finally:
                savepoint.rollback()
                self.env.invalidate_all(flush=False)

    def _run_steps(self, steps):
        orders = self._order([(self.product_a, 7), (self.scarce, 5)])
        orders |= self._order([(self.product_a, 3), (self.scarce, 6)])
        for operation, first, second, fraction in steps:
            self._step(orders, operation, first, second, fraction)
            self.env.flush_all()
            self._check_invariants(orders)
        # Then everything arrives and leaves.
        self.env["stock.quant"]._update_available_quantity(
            self.scarce, self.stock_location, 20
        )
        pickings = self._open_deliveries(orders)
        pickings.action_assign()
        self._ship(orders[0], picking=pickings)
        for line in orders.order_line:
            self.assertEqual(line.qty_delivered, line.product_uom_qty)
        self.assertEqual(set(orders.mapped("delivery_status")), {"full"})
        self._check_invariants(orders)
