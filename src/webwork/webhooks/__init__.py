"""webhooks domain: subscriptions, signed delivery of events, the delivery log."""
