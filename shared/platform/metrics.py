"""Prometheus metrics every service exposes on /metrics."""
from prometheus_client import Counter, Gauge, Histogram

MESSAGES_HANDLED = Counter("claimflow_messages_handled_total", "Messages applied by a consumer group",
                           ["group", "type"])
MESSAGES_DUPLICATE = Counter("claimflow_messages_duplicate_total", "Redelivered messages skipped",
                             ["group"])
MESSAGES_FAILED = Counter("claimflow_messages_dead_lettered_total", "Messages sent to a dead-letter topic",
                          ["group"])
HANDLER_SECONDS = Histogram("claimflow_batch_seconds", "Time to apply one batch of messages", ["group"])
OUTBOX_BACKLOG = Gauge("claimflow_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter("claimflow_outbox_published_total", "Outbox rows published", ["service"])
CONSUMER_LAG = Gauge("claimflow_consumer_lag", "Messages behind the end of the partitions", ["group"])
HTTP_REQUESTS = Histogram("claimflow_http_request_seconds", "HTTP request latency",
                          ["service", "method", "status"])
BROKER_RECOVERIES = Counter("claimflow_broker_recoveries_total", "Times the broker came back without its data", ["service"])
