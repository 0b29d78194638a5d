"""The SIRE paper (Cohen-Karlik, Ben David, Globerson, 2020)."""

from zoo.families.base import Paper

PAPER = Paper(key="sire", title="Regularizing Towards Permutation Invariance in Recurrent Models",
              authors="Cohen-Karlik, Ben David, Globerson", venue="NeurIPS 2020",
              url="https://arxiv.org/abs/2010.13055")
