// Package sla is the business-time arithmetic behind maintenance contracts.
//
// A contract's SLA says "we react within 1 hour and fix within 8 hours",
// but those hours are service hours: the clock only runs while the
// provider is open, never at night, at the weekend, on French public
// holidays or on the provider's own closure days. This package turns a
// service-hours Calendar and per-priority Targets into due instants, the
// pausable Clock tickets will use, and the penalty owed for breaches.
//
// Everything here is pure: no I/O, no globals except immutable tables,
// and values built by the constructors are safe for concurrent use.
package sla
