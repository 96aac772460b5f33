"""Exercises and the workload simulator."""
