"""The restricted expression and script language of diagrams: its grammar and static check,
the tree-walking interpreter with a step budget and size limits, and the evaluation API that
gateway conditions, due dates, timers and script tasks go through."""
