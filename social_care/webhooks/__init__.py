"""Signed Meta and X webhooks: verified, parsed into the pollers' ``Mention`` records, stored once through
the pipeline and answered at once; polling stays as the backstop (``backstop``).

Routes are in ``social_care.web.webhooks``; parsing in ``connectors.meta_webhooks`` / ``connectors.x_webhooks``.
"""

from __future__ import annotations

from .backstop import delivery_counts, last_deliveries, poll_due, webhooks_status
from .ingest import DeliveryResult, ingest_delivery
from .signatures import meta_signature, same_signature, x_crc_response, x_signature

__all__ = [
    "DeliveryResult",
    "delivery_counts",
    "ingest_delivery",
    "last_deliveries",
    "meta_signature",
    "poll_due",
    "same_signature",
    "webhooks_status",
    "x_crc_response",
    "x_signature",
]
