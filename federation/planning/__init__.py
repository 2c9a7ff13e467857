"""Capacity planning: parameter sweeps over a scenario (seeded runs on a local process pool or
on Dask), their statistics (pass rates with Wilson intervals), the search for the smallest value
that meets a target, N-k survivability, and their files and plots."""
