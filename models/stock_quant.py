from odoo import api, models

from .stock_move import KEEP_QUANT_RESERVATION, TRUSTED


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
        if self.env.context.get(KEEP_QUANT_RESERVATION) is TRUSTED:
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
