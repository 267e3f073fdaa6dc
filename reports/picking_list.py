from collections import defaultdict

from odoo import api, models
from odoo.tools import float_compare, groupby


class ReportPickingList(models.AbstractModel):
    """Picking list (拣货单) of deliveries: what to take, from which location.

    The template is shared with the batch report: a sheet is either one
    delivery or one batch (wave), whose deliveries are picked in one walk and
    therefore aggregated together.
    """

    _name = "report.sale_fulfillment.report_picking_list"
    _description = "Picking List"

    @api.model
    def _get_report_values(self, docids, data=None):
        # Names and sort order in the language of the person who picks; the
        # internal reference has a column of its own.
        self = self.with_context(
            lang=self.env.user.lang or self.env.lang, display_default_code=False
        )
        docs = self._get_picking_list_docs(docids)
        return {
            "doc_ids": docids,
            "doc_model": docs._name,
            "docs": docs,
            "sheets": self._get_picking_list_sheets(docs),
        }

    @api.model
    def _get_picking_list_docs(self, docids):
        """The records printed, one sheet each (hook: the batch report reads
        batches)."""
        return self.env["stock.picking"].browse(docids)

    @api.model
    def _get_sheet_pickings(self, doc):
        """The deliveries one sheet of ``doc`` covers."""
        return doc

    @api.model
    def _prepare_picking_list_sheet(self, doc, pickings, lines, unreserved):
        """Header values of one sheet: the document, its barcode, date and
        responsible, with its lines grouped by source location."""
        return {
            "doc": doc,
            "name": doc.name,
            "scheduled_date": doc.scheduled_date,
            "user": doc.user_id,
            "pickings": pickings,
            "picking_count": len(pickings),
            "lines": lines,
            "locations": [
                (location, list(location_lines))
                for location, location_lines in groupby(
                    lines, key=lambda line: line["location_id"]
                )
            ],
            "unreserved": unreserved,
            "is_batch": doc._name == "stock.picking.batch",
            # Columns nobody needs are left out.
            "has_barcodes": any(line["barcode"] for line in lines),
            "has_lots": any(line["lot_name"] for line in lines),
        }

    @api.model
    def _get_picking_list_sheets(self, docs):
        """The sheets of ``docs``, built from one read of their move lines."""
        pickings_by_doc = {doc: self._get_sheet_pickings(doc) for doc in docs}
        all_pickings = self.env["stock.picking"].union(*pickings_by_doc.values())
        move_lines = self._get_picking_list_move_lines(all_pickings)
        moves = self._get_picking_list_unreserved_moves(all_pickings)
        lines_by_picking = move_lines.grouped("picking_id")
        moves_by_picking = moves.grouped("picking_id")
        empty_lines = self.env["stock.move.line"]
        empty_moves = self.env["stock.move"]
        sheets = []
        for doc, pickings in pickings_by_doc.items():
            sheet_lines = empty_lines.union(
                *(lines_by_picking.get(picking, empty_lines) for picking in pickings)
            )
            sheet_moves = empty_moves.union(
                *(moves_by_picking.get(picking, empty_moves) for picking in pickings)
            )
            sheets.append(
                self._prepare_picking_list_sheet(
                    doc,
                    pickings,
                    self._aggregate_picking_list_lines(sheet_lines),
                    self._aggregate_unreserved(sheet_moves),
                )
            )
        return sheets

    @api.model
    def _get_picking_list_lines(self, pickings):
        """The lines to pick for ``pickings``, aggregated across them.

        One dict per source location, product, unit and lot, sorted by the
        location's full name then the product: ``location_id``, ``product_id``,
        ``product_uom_id`` (the product's unit), ``lot_id``, ``quantity``
        (summed, in that unit), ``barcode``, ``default_code``, ``picking_ids``
        and ``order_ids`` (the deliveries and sales orders the line serves).
        """
        return self._aggregate_picking_list_lines(
            self._get_picking_list_move_lines(pickings)
        )

    @api.model
    def _get_picking_list_move_lines(self, pickings):
        """The reserved (or picked) move lines of ``pickings``, in one read."""
        if not pickings:
            return self.env["stock.move.line"]
        return self.env["stock.move.line"].search(
            [("picking_id", "in", pickings.ids), ("state", "!=", "cancel")]
        )

    @api.model
    def _get_picking_list_unreserved_moves(self, pickings):
        """The open moves of ``pickings`` whose demand is not all reserved."""
        if not pickings:
            return self.env["stock.move"]
        return self.env["stock.move"].search(
            [
                ("picking_id", "in", pickings.ids),
                ("state", "in", ("confirmed", "waiting", "partially_available")),
            ]
        )

    @api.model
    def _get_picking_list_key(self, move_line):
        """What makes two move lines one line of the list (hook)."""
        return (move_line.location_id, move_line.product_id, move_line.lot_id)

    @api.model
    def _aggregate_picking_list_lines(self, move_lines):
        """Aggregate ``move_lines`` (fields are read once for the whole set
        through the prefetch) into the dicts of `_get_picking_list_lines`."""
        lines = {}
        for move_line in move_lines:
            key = self._get_picking_list_key(move_line)
            line = lines.get(key)
            if line is None:
                product = move_line.product_id
                line = lines[key] = {
                    "location_id": move_line.location_id,
                    "product_id": product,
                    "product_uom_id": product.uom_id,
                    "lot_id": move_line.lot_id,
                    "lot_name": move_line.lot_id.name or move_line.lot_name or "",
                    "barcode": product.barcode or "",
                    "default_code": product.default_code or "",
                    "quantity": 0.0,
                    "picking_ids": self.env["stock.picking"],
                    "order_ids": self.env["sale.order"],
                }
            line["quantity"] += move_line.quantity_product_uom
            line["picking_ids"] |= move_line.picking_id
            line["order_ids"] |= (
                move_line.move_id.sale_line_id.order_id or move_line.picking_id.sale_id
            )
        result = [
            line
            for line in lines.values()
            if float_compare(
                line["quantity"],
                0.0,
                precision_rounding=line["product_uom_id"].rounding,
            )
            > 0
        ]
        # A union only prefetches its own records: read the names of every
        # delivery and order at once, not line by line.
        pickings = move_lines.picking_id
        orders = move_lines.move_id.sale_line_id.order_id | pickings.sale_id
        for line in result:
            line["picking_ids"] = (
                line["picking_ids"].with_prefetch(pickings._ids).sorted("name")
            )
            line["order_ids"] = (
                line["order_ids"].with_prefetch(orders._ids).sorted("name")
            )
        return sorted(
            result,
            key=lambda line: (
                line["location_id"].complete_name or "",
                line["location_id"].id,
                line["product_id"].display_name or "",
                line["product_id"].id,
                line["lot_name"],
            ),
        )

    @api.model
    def _aggregate_unreserved(self, moves):
        """What ``moves`` still miss, per product in its own unit: these
        cannot be picked yet and are not on the list."""
        missing = defaultdict(float)
        for move in moves:
            product = move.product_id
            missing[product] += move.product_uom._compute_quantity(
                move.product_uom_qty - move.quantity, product.uom_id
            )
        return [
            {"product_id": product, "product_uom_id": product.uom_id, "quantity": qty}
            for product, qty in sorted(
                missing.items(), key=lambda item: item[0].display_name or ""
            )
            if float_compare(qty, 0.0, precision_rounding=product.uom_id.rounding) > 0
        ]


class ReportPickingListBatch(models.AbstractModel):
    """Picking list of batches and waves: one sheet per batch, its deliveries
    aggregated."""

    _name = "report.sale_fulfillment.report_picking_list_batch"
    _inherit = "report.sale_fulfillment.report_picking_list"
    _description = "Picking List of Batches"

    @api.model
    def _get_picking_list_docs(self, docids):
        return self.env["stock.picking.batch"].browse(docids)

    @api.model
    def _get_sheet_pickings(self, doc):
        return doc.picking_ids.filtered(lambda picking: picking.state != "cancel")
