"""The interpretation paper (Hansen, Calissano, Feragen, 2024)."""

from zoo.families.base import Paper

PAPER = Paper(key="interp", title="Interpreting Equivariant Representations",
              authors="Hansen, Calissano, Feragen", venue="ICML 2024", url="https://arxiv.org/abs/2401.12588")
