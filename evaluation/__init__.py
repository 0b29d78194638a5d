"""Evaluation: one harness for every entry, the leaderboard CSVs, the model cards and the benchmarks.

Everything written under `evaluation/results/` and `model_cards/` is produced by the code here, never by hand.
"""
