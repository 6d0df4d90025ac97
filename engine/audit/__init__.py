"""What auditors trust: the per-instance hash-chained event log and its verification, replay
of a case from its version and events (and time travel to any event), and offline bundles
that replay without the database."""
