"""Model cards, rendered from an entry's `zoo.json` and its leaderboard rows (never written by hand).

This is the one place that turns an entry's facts into card text: trained entries, entries without weights and
models a user saves all go through `render_card`.
"""

import json

from huggingface_hub import EvalResult, ModelCard, ModelCardData

from zoo.metrics import split_key

PROJECT_LICENSE = "apache-2.0"
SYMMETRY_SENTENCES = {
    "invariant": "Permuting the elements of a set leaves the output unchanged.",
    "equivariant": "Permuting the elements of a set permutes the outputs the same way.",
    "selection": "Permuting the elements of a set permutes the scores the same way, so the selected element "
                 "does not depend on the order.",
    "none": "This model has no set symmetry: it depends on the order of the elements.",
}
APPROXIMATE_SENTENCE = ("The symmetry is not built in: training regularises the model towards it, so "
                        "`zoo.check_symmetry` reports how far the model is from it rather than a pass or fail.")


def _paper_line(info):
    from zoo.families import papers

    paper = papers().get(info.get("paper"))
    if paper is None:
        return "*unspecified paper*"
    return f"*{paper.citation()}*" + (f" ([paper]({paper.url}))" if paper.url else "")


def _summaries(metrics):
    """`{key: summary}` of the measured metrics (curve points included)."""
    return {key: values for key, values in (metrics or {}).items() if isinstance(values, dict) and "mean" in values}


def _eval_results(info):
    """The Hub's model-index: what the harness measured, then the paper's numbers with the paper as source."""
    from zoo.families import papers

    metrics = info.get("metrics") or {}
    common = {"task_type": info.get("task_type", "other"), "task_name": info.get("task", ""),
              "dataset_type": f"symmetry-zoo/{info.get('family', 'custom')}", "dataset_name": info["dataset"]["name"],
              "dataset_split": metrics.get("split", "test")}
    measured = [EvalResult(**common, metric_type=key, metric_name=key, metric_value=round(values["mean"], 4))
                for key, values in _summaries(metrics).items()]
    paper = papers().get(info.get("paper"))
    # the Hub needs a source's address with its name
    source = {"source_name": f"{paper.title} (paper)", "source_url": paper.url} if paper and paper.url else {}
    # The paper measured on its own data: a result of its own, with the paper as its source (the Hub groups
    # results by task, dataset type, config and split).
    common.update(dataset_name=f"as published: {info.get('paper_note') or 'the paper'}", dataset_config="paper",
                  dataset_split="test")
    published = [EvalResult(**common, metric_type=key, metric_name=f"{key} (paper)", metric_value=value, **source)
                 for key, value in (info.get("paper_results") or {}).items() if value is not None]
    return measured + published


def _metric_lines(metrics):
    """One line per metric; a curve's points as one line per metric listing every set size."""
    summaries = _summaries(metrics)
    on_curve = {split_key(key)[0] for key in summaries if split_key(key)[1] is not None}
    lines, curves = [], {}
    for key, values in summaries.items():
        metric, set_size = split_key(key)
        if set_size is None:
            averaged = " (mean over the set sizes below)" if metric in on_curve else ""
            lines.append(f"- **{key}**{averaged} on the {metrics.get('split', 'test')} split: {values['mean']:.4f} ± "
                         f"{values['std']:.4f} ({len(values['values'])} seeds)")
        else:
            curves.setdefault(metric, []).append(f"{set_size}: {values['mean']:.3f}")
    lines += [f"- **{metric}** by set size n: {', '.join(points)}" for metric, points in curves.items()]
    return "\n".join(lines)


def _table(rows):
    """A Markdown table of rows (dicts), without the columns that are empty in every row."""
    if not rows:
        return "No leaderboard rows yet."
    columns = [c for c in rows[0] if any(row[c] is not None for row in rows)]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join("" if row[c] is None else str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _section(title, text):
    return f"\n## {title}\n\n{text}\n" if text else ""


def _new_classes(info):
    if not info.get("input_spec", {}).get("classes"):
        return ""
    return (f"\nWith a new label set: `zoo.load(\"{info['name']}\", num_classes=K)` keeps every weight but the "
            "output layer.")


def _inputs(info):
    spec = info.get("input_spec", {})
    if not spec.get("elements"):
        return ""
    described = ("range", "classes", "value_range")  # not inputs
    names = ", ".join(f"`{key}` {value}" for key, value in spec.items() if key not in described)
    sizes = info.get("trained_set_sizes")
    trained = "" if not sizes else (
        f" Trained on sets of {sizes[0] if sizes[0] == sizes[1] else f'{sizes[0]}–{sizes[1]}'} elements: sets of "
        "more than twice or fewer than half as many give a `zoo.SetSizeWarning`.")
    what = f"; {spec['range']}" if spec.get("range") else ""
    return f"Inputs: {names}{what}.{trained}{_size_dependence(info.get('size_dependence'))}\n"


def _size_dependence(measured):
    """Whether the outputs depend on a set's size, as measured by `zoo.check_size_dependence`, in a sentence."""
    if not measured:
        return ""
    how = (f"repeating every element (the same contents at {measured['copies']}× the size) changed them by "
           f"{{}} (`zoo.check_size_dependence` on test sets)")
    if measured["size_dependent"]:
        return (" Size-dependent: its outputs depend on a set's size, not only on its contents: "
                + how.format(f"up to {measured['error']:.3g}, against outputs up to {measured['scale']:.3g}") + ".")
    # The change itself is float32 round-off that moves from run to run; the tolerance it stays under does not.
    scale, relative = measured["scale"], measured["tolerance"] / max(measured["scale"], 1.0)
    bound = f"{relative:.1g}" if scale <= 1.0 else f"{relative:.1g} × the largest output ({float(f'{scale:.3g}'):,g})"
    return (" Size-independent: its outputs depend on a set's contents, not its size: "
            + how.format(f"less than {bound}, float32 round-off") + "; it reads the elements' distribution, not "
            "their count.")


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
outputs = model.predict(x)                    # x: {shape}
zoo.check_symmetry(model, x[:4])              # measured invariance / equivariance errors
model.fit(x_train, y_train, epochs=5)         # fine-tune: the family's loss, Adam at 1/100 of the training rate
```
{_inputs(info)}{info.get("usage", "")}{_new_classes(info)}"""


def _symmetry(info):
    symmetry = info.get("symmetry", {})
    sentence = SYMMETRY_SENTENCES.get(symmetry.get("output"), "")
    if symmetry.get("exact", True) is False:
        sentence += " " + APPROXIMATE_SENTENCE
    return f"`{json.dumps(symmetry)}`\n\n{sentence}\n`zoo.check_symmetry(model, x)` measures it on your data."


def _paper_units(info):
    """The hyper-parameters whose values the paper gives in other units, at the paper's scale."""
    values = info.get("paper_hyperparameters") or {}
    return (" (in the paper's units: " + ", ".join(f"{name} = {value:.6g}" for name, value in values.items()) + ")"
            if values else "")


def render_card(info, leaderboard_rows=(), leaderboard_file=None):
    """The model card (Markdown with Hub YAML front matter) of one entry.

    Args:
        info: the entry's `zoo.json` content, plus the card-only fields `limitations`, `retrain`, `usage`,
            `findings`, `baseline_comparison`, `order_sensitivity` and `other_weights` (sentences), `credits`
            (the data's attribution), `datasets` (Hub or tfds names),
            `paper_results` (`{metric: the paper's number}`), `paper_hyperparameters` (`{name: the paper's value}`
            of hyper-parameters the model takes in other units) and `size_dependence` (`zoo.check_size_dependence`'s
            report) when known.
        leaderboard_rows: this model's rows of its family's leaderboard CSV, as dicts.
        leaderboard_file: where those rows come from, named in the card.
    """
    license_info = info.get("license", {})
    shipped = info.get("weights") is not False  # the card's licence is the weights', or the code's when none ship
    data = ModelCardData(
        library_name="keras",
        license=(license_info.get("weights", PROJECT_LICENSE) if shipped else PROJECT_LICENSE).lower(),
        tags=["symmetry-zoo", "sets", "permutation-invariance", info.get("paper", ""), info.get("family", "")],
        model_name=info["name"],
        datasets=info.get("datasets") or None,
        eval_results=_eval_results(info) or None,
    )
    training = info.get("training", {})
    metric_lines = _metric_lines(info.get("metrics"))
    body = f"""
# {info['name']}

{info.get('title', info['architecture'])} for {info.get('task', 'a set task')}, from the symmetry-zoo
reimplementation of {_paper_line(info)}.
{f"It outputs {info['output']}." if info.get('output') else ''}

## How to use

The zoo's layers must be registered before Keras can read this model, so import `zoo` first:

{_usage(info)}

## Training data

{info['dataset']['name']}. Trained on: {info['dataset'].get('training_split', 'unspecified')}.
Evaluated on: {info['dataset'].get('evaluation_split', 'unspecified')}.
{f"{chr(10)}Data credits: {info['credits']}{chr(10)}" if info.get('credits') else ''}
## Training procedure

- Hyper-parameters: `{json.dumps(info.get('hyperparameters', {}))}`{_paper_units(info)}
- Parameters: {info.get('param_count', 'unknown'):,}
- {training.get('summary', 'Training details not recorded.')}

## Evaluation (measured by the zoo's harness)

{metric_lines or 'Not evaluated yet.'}
{f"{chr(10)}{info['baseline_comparison']}{chr(10)}" if info.get('baseline_comparison') else ''}\
{f"{chr(10)}{info['order_sensitivity']}{chr(10)}" if info.get('order_sensitivity') else ''}\
{f"{chr(10)}{info['other_weights']}{chr(10)}" if info.get('other_weights') else ''}
Leaderboard rows{f' (`{leaderboard_file}`)' if leaderboard_file else ''}:

{_table(list(leaderboard_rows))}
{_section('Findings', info.get('findings', ''))}
## Symmetry

{_symmetry(info)}

## Limitations

{info.get('limitations') or 'None recorded.'}
{_section('Retrain', f"```bash{chr(10)}{info['retrain']}{chr(10)}```" if info.get('retrain') else '')}
## Licence

Code: {license_info.get('code', 'Apache-2.0')}. Weights: {license_info.get('weights', 'Apache-2.0')}.
{license_info.get('notes', '')}
"""
    return str(ModelCard(f"---\n{data.to_yaml()}\n---\n{body}"))
