"""Context markers that only this addon's code can set.

A request's context travels as JSON and cannot carry the object ``TRUSTED``: a
client that sends one of these keys gets nothing from it."""

TRUSTED = object()

# A split hands reserved quantity from one move line to another line of the same
# quant: the quant's reservation does not change, so it is not re-synchronised.
KEEP_QUANT_RESERVATION = "sale_fulfillment_keep_quant_reservation"
# Around the pack station's own writes of what it alone records.
PACK_WRITE = "sale_fulfillment_pack_write"


def trusted(records, key):
    """``records`` with the marker ``key`` set."""
    return records.with_context(**{key: TRUSTED})


def is_trusted(records, key):
    """Whether our own code set the marker ``key`` on ``records``' context."""
    return records.env.context.get(key) is TRUSTED
