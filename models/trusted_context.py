"""Context markers that only this addon's code can set.

A request's context travels as JSON and cannot carry the object ``TRUSTED``
nor a ``TrustedValue``: a client that sends one of these keys gets nothing
from it."""

TRUSTED = object()

# A split hands reserved quantity from one move line to another line of the same
# quant: the quant's reservation does not change, so it is not re-synchronised.
KEEP_QUANT_RESERVATION = "sale_fulfillment_keep_quant_reservation"
# Around the pack station's own writes of what it alone records.
PACK_WRITE = "sale_fulfillment_pack_write"
# A split changes demands without the per-move "quantity updated" note: the
# shipments get one message about the split instead.
SPLIT_SHIPMENT = "sale_fulfillment_split"
# The sales order a shipped or delivered email of a merged delivery is about
# (a ``TrustedValue`` of its id).
MILESTONE_ORDER = "sale_fulfillment_order_id"
# Where the returns of an after-sales request go (a ``TrustedValue`` of the
# location id).
RMA_RETURN_LOCATION = "sale_rma_location_dest_id"
# Around an after-sales request's own writes of its state and of the links
# between it and its documents (returns, replacements, credit notes).
RMA_WRITE = "sale_fulfillment_rma_write"


class TrustedValue:
    """A value our own code put in the context under a marker key."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, TrustedValue) and other.value == self.value

    def __hash__(self):
        return hash((TrustedValue, self.value))

    def __repr__(self):
        return f"TrustedValue({self.value!r})"


def trusted(records, key, value=TRUSTED):
    """``records`` with the marker ``key`` set; with ``value``, the marker
    carries it (read it with ``trusted_value``)."""
    marker = value if value is TRUSTED else TrustedValue(value)
    return records.with_context(**{key: marker})


def is_trusted(records, key):
    """Whether our own code set the marker ``key`` on ``records``' context."""
    return records.env.context.get(key) is TRUSTED


def trusted_value(records, key, default=None):
    """The value our own code set with the marker ``key`` on ``records``'
    context, else ``default`` (whatever a client sent under that key)."""
    marker = records.env.context.get(key)
    return marker.value if isinstance(marker, TrustedValue) else default
