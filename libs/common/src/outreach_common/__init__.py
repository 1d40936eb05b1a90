"""Shared plumbing of the Outreach services: settings, Kafka, MongoDB, clock, logging, tracing, HTTP."""
