"""Federated autoscaling around the pure core: the FederatedHPA and CronFederatedHPA records, the
utilization the traffic model produces, and the autoscaler the shared control loop runs."""
