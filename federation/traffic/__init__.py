"""The traffic model: federated services (MultiClusterService), client demand per region, the
network between regions (round-trip times, egress prices), and the fluid engine both backends
drive to turn steering answers and ready endpoints into requests, failures, latency and bytes."""
