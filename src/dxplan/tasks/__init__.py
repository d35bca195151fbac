"""Tasks of the plan and units' breakthrough tasks: progress, evidence, approval."""
