"""The papers behind the zoo, referred to by short key everywhere (registry, cards, leaderboards)."""

PAPERS = {
    "deepsets": {
        "title": "Deep Sets",
        "authors": "Zaheer, Kottur, Ravanbakhsh, Póczos, Salakhutdinov, Smola",
        "venue": "NeurIPS 2017",
        "url": "https://arxiv.org/abs/1703.06114",
    },
    "dss": {
        "title": "On Learning Sets of Symmetric Elements",
        "authors": "Maron, Litany, Chechik, Fetaya",
        "venue": "ICML 2020",
        "url": "https://arxiv.org/abs/2002.08599",
    },
    "sire": {
        "title": "Regularizing Towards Permutation Invariance in Recurrent Models",
        "authors": "Cohen-Karlik, Ben David, Globerson",
        "venue": "NeurIPS 2020",
        "url": None,
    },
    "interp": {
        "title": "Interpreting Equivariant Representations",
        "authors": "Hansen, Calissano, Feragen",
        "venue": "ICML 2024",
        "url": None,
    },
}


def citation(key):
    """One line naming the paper: `Title (Authors, Venue)`."""
    paper = PAPERS[key]
    return f"{paper['title']} ({paper['authors']}, {paper['venue']})"
