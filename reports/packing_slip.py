from collections import defaultdict

from odoo import api, models


class ReportPackingSlip(models.AbstractModel):
    """Packing slip (发货单) that travels with the parcel: what is shipped, in
    which packages, how heavy, with which carrier, and the cash to collect of
    orders paid on delivery."""

    _name = "report.sale_fulfillment.report_packing_slip"
    _description = "Packing Slip"

    @api.model
    def _get_report_values(self, docids, data=None):
        pickings = self.env["stock.picking"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "stock.picking",
            "docs": pickings,
            "slip_lines": self._get_packing_slip_lines(pickings),
            "slip_packages": self._get_packing_slip_packages(pickings),
            "slip_collections": self._get_packing_slip_collections(pickings),
        }

    @api.model
    def _get_packing_slip_lines(self, pickings):
        """``{picking id: [line]}``, one line per move that ships something:
        ``move``, ``product_id``, ``ordered`` and ``shipped`` (in the move's
        unit, ``product_uom_id``) and ``weight`` (of what is shipped, in the
        database's weight unit)."""
        result = defaultdict(list)
        for move in pickings.move_ids.sorted(lambda move: (move.sequence, move.id)):
            if move.state == "cancel" or not (move.product_uom_qty or move.quantity):
                continue
            product = move.product_id
            result[move.picking_id.id].append(
                {
                    "move": move,
                    "product_id": product,
                    "product_uom_id": move.product_uom,
                    "ordered": move.product_uom_qty,
                    "shipped": move.quantity,
                    "weight": product.weight
                    * move.product_uom._compute_quantity(move.quantity, product.uom_id),
                }
            )
        return result

    @api.model
    def _get_packing_slip_packages(self, pickings):
        """``{picking id: [package]}``: each destination package with its
        ``package_id``, ``package_type_id`` and ``weight`` (the weight entered
        for shipping, else the estimate from its content, flagged by
        ``estimated``)."""
        result = defaultdict(list)
        for picking in pickings:
            packages = picking.move_line_ids.result_package_id.sorted("name")
            if not packages:
                continue
            # Like Odoo's own shipping weight: the content's weight is an
            # estimate any reader of the delivery may see.
            estimates = packages.sudo()._get_weight(picking.id)
            for package in packages:
                result[picking.id].append(
                    {
                        "package_id": package,
                        "package_type_id": package.package_type_id,
                        "weight": package.shipping_weight or estimates[package],
                        "estimated": not package.shipping_weight,
                    }
                )
        return result

    @api.model
    def _get_packing_slip_collections(self, pickings):
        """``{picking id: [collection]}``: the cash-on-delivery orders of each
        delivery with the amount the carrier collects
        (``stock.picking._get_cod_collections``); prepaid deliveries have
        none."""
        return pickings._get_cod_collections()
