"""Model cards, generated from an entry's `zoo.json` and its leaderboard rows (never written by hand)."""

import json

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from zoo.papers import PAPERS, citation

PROJECT_LICENSE = "apache-2.0"
SYMMETRY_SENTENCES = {
    "invariant": "Permuting the elements of a set leaves the output unchanged.",
    "equivariant": "Permuting the elements of a set permutes the outputs the same way.",
    "selection": "Permuting the elements of a set permutes the scores the same way, so the selected element "
                 "does not depend on the order.",
    "none": "This baseline has no set symmetry: it depends on the order of the elements.",
}


def _metric_line(name, values):
    return f"{values['mean']:.4f} ± {values['std']:.4f} ({len(values['values'])} seeds)"


def _eval_results(info):
    metrics = info.get("metrics") or {}
    return [
        EvalResult(task_type="set-classification", task_name=info.get("task", ""),
                   dataset_type=f"symmetry-zoo/{info.get('family', 'custom')}",
                   dataset_name=info["dataset"]["name"], dataset_split=metrics.get("split", "test"),
                   metric_type=key, metric_name=key, metric_value=round(values["mean"], 4))
        for key, values in metrics.items() if isinstance(values, dict) and "mean" in values
    ]


def _leaderboard_table(rows):
    if not rows:
        return "No leaderboard rows yet."
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join("" if row[c] is None else str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _retrain(info):
    if not info.get("retrain"):
        return ""
    return f"\n## Retrain\n\n```bash\n{info['retrain']}\n```\n"


def _new_classes(info):
    if not info.get("input_spec", {}).get("classes"):
        return ""
    return (f"\nWith a new label set: `zoo.load(\"{info['name']}\", num_classes=K)` keeps every weight but the "
            "output layer.")


def _usage(info):
    name, shape = info["name"], info.get("input_spec", {}).get("elements")
    if info.get("weights") is False:
        return f"""```python
import zoo

model = zoo.load("{name}", pretrained=False)   # the architecture, freshly initialised: no weights ship
model.fit(x_train, y_train)                    # x: {shape}
zoo.check_symmetry(model, x_train[:4])
```

or `zoo train {name}` once the data is available."""
    return f"""```python
import zoo

model = zoo.load("{name}")          # offline: the weights ship inside the package
scores = model.predict(x)                     # x: {shape}
zoo.check_symmetry(model, x[:4])              # measured invariance / equivariance errors
model.fit(x_train, y_train, epochs=5)         # fine-tune (compiled with the family's loss and metric)
```
{info.get("usage", "")}{_new_classes(info)}"""


def render_card(info, leaderboard_rows=(), leaderboard_file=None):
    """The model card (Markdown with Hub YAML front matter) of one entry.

    Args:
        info: the entry's `zoo.json` content (without the file hashes, which depend on the card).
        leaderboard_rows: this model's rows of its family's leaderboard CSV, as dicts.
        leaderboard_file: where those rows come from, named in the card.
    """
    license_info = info.get("license", {})
    data = ModelCardData(
        library_name="keras",
        license=license_info.get("weights", PROJECT_LICENSE).lower(),
        tags=["symmetry-zoo", "sets", "permutation-invariance", info.get("paper", ""), info.get("family", "")],
        model_name=info["name"],
        eval_results=_eval_results(info) or None,
    )
    paper = PAPERS.get(info.get("paper"), {})
    metrics = info.get("metrics") or {}
    metric_lines = "\n".join(f"- **{key}** on the {metrics.get('split', 'test')} split: {_metric_line(key, v)}"
                             for key, v in metrics.items() if isinstance(v, dict) and "mean" in v)
    training = info.get("training", {})
    body = f"""
# {info['name']}

{info.get('title', info['architecture'])} for {info.get('task', 'a set task')}, from the symmetry-zoo
reimplementation of *{citation(info['paper']) if info.get('paper') in PAPERS else 'unspecified paper'}*
{f"([paper]({paper['url']}))" if paper.get('url') else ''}.

## How to use

The zoo's layers must be registered before Keras can read this model, so import `zoo` first:

{_usage(info)}

## Training data

{info['dataset']['name']}. Trained on: {info['dataset'].get('training_split', 'unspecified')}.
Evaluated on: {info['dataset'].get('evaluation_split', 'unspecified')}.

## Training procedure

- Hyper-parameters: `{json.dumps(info.get('hyperparameters', {}))}`
- Parameters: {info.get('param_count', 'unknown'):,}
- {training.get('summary', 'Training details not recorded.')}

## Evaluation (measured by the zoo's harness)

{metric_lines or 'Not evaluated yet.'}

Leaderboard rows{f' (`{leaderboard_file}`)' if leaderboard_file else ''}:

{_leaderboard_table(list(leaderboard_rows))}

{info.get('comparison', '')}

## Symmetry

`{json.dumps(info.get('symmetry', {}))}`

{SYMMETRY_SENTENCES.get(info.get('symmetry', {}).get('output'), '')}
`zoo.check_symmetry(model, x)` measures it on your data.

## Limitations

{info.get('limitations', 'None recorded.')}
{_retrain(info)}
## Licence

Code: {license_info.get('code', 'Apache-2.0')}. Weights: {license_info.get('weights', 'Apache-2.0')}.
{license_info.get('notes', '')}
"""
    return str(ModelCard(f"---\n{data.to_yaml()}\n---\n{body}"))
