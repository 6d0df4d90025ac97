"""Running cases: the commands (start, complete, claim, messages, timers, migration) and what
each recorded event does to a SpiffWorkflow workflow; the spec-free state and its digest;
the seam through which SpiffWorkflow sees the engine's clock and task ids; the mirror of
tasks, timers and message subscriptions into plain tables; case numbers; the timer worker."""
