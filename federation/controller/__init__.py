"""Controller mode: kfed as a long-running federation control plane on a host API server (CRDs
for kfed's kinds, watches on the host, the shared control loop on the wall clock, status written
back, leader election, Prometheus metrics)."""
