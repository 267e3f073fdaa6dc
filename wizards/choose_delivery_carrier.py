from odoo import api, models


class ChooseDeliveryCarrier(models.TransientModel):
    _inherit = "choose.delivery.carrier"

    @api.onchange("carrier_id", "total_weight")
    def _onchange_carrier_id(self):
        # Zone prices ask no carrier's server: the price shows as soon as the
        # carrier or the weight changes, as for rule-based prices, instead of
        # waiting for "Get rate".
        if self.delivery_type != "zone_weight":
            return super()._onchange_carrier_id()
        self.delivery_message = False
        vals = self._get_delivery_rate()
        if vals.get("error_message"):
            return {"error": vals["error_message"]}
        return None
