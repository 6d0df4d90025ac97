"""Read-side views over the mirrored tables, never deserializing a workflow where it can be
avoided: inboxes, the overdue board, ledgers (台账), the diagram path of a case, and which
forms a user may start or see."""
