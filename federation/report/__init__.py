"""Reports of a run, for either backend: summary figures and expectations, the summary table,
plots, the narrated event log, and fidelity between a simulated and a real timeline."""
