from odoo import api, models

from .trusted_context import KEEP_QUANT_RESERVATION, is_trusted


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_reserved_quantity(
        self,
        product_id,
        location_id,
        quantity,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=True,
    ):
        # A split moves reserved quantity between move lines of the same quant:
        # what one line gives up the other takes, the quant does not change.
        if is_trusted(self, KEEP_QUANT_RESERVATION):
            return None
        return super()._update_reserved_quantity(
            product_id,
            location_id,
            quantity,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )
