"""The DeepSets paper (Zaheer et al., 2017) and the course lab built on it."""

from zoo.families.base import Paper

PAPER = Paper(key="deepsets", title="Deep Sets",
              authors="Zaheer, Kottur, Ravanbakhsh, Póczos, Salakhutdinov, Smola", venue="NeurIPS 2017",
              url="https://arxiv.org/abs/1703.06114")
