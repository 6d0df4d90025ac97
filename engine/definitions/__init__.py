"""Process definitions: the BPMN, DMN and form files a designer deploys. Parsing them safely
(hostile XML refused before it is read), validating them fully (XSDs, Kuaiban's rules for
lanes, forms and decisions, expressions and scripts, timers, then SpiffWorkflow's own parse),
lint warnings beyond validity, content-hashed versions in the registry (each parsed once into
a runnable version), and the difference between two versions."""
