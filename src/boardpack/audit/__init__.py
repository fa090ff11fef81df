"""The audit store: runs, deliveries and a row per delivery state transition."""

from boardpack.audit.store import AuditStore, DeliveryRecord, RunRecord, Transition

__all__ = ["AuditStore", "DeliveryRecord", "RunRecord", "Transition"]
