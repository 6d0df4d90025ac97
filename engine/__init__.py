"""Kuaiban engine: deploy and run BPMN procedures with working-day deadlines."""
