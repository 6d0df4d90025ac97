"""Time: the Clock protocol (the only place the engine reads the wall clock; frozen in tests
and by KUAIBAN_NOW) and the official Chinese working-day calendar with its overrides and the
deadline functions diagrams use."""
