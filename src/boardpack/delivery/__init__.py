"""Delivery: messages from reports, the dispatcher (the one place that sends), and transports."""
