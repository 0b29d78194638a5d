"""The `zoo` command line: list, info, eval, predict, train, adopt, withhold, leaderboard, sweep, push, tag,
benchmark."""

import argparse
import json
import operator
import sys

from zoo.train_options import BUDGET_OPTIONS


def _list(args):
    from evaluation.cards import recorded_info
    from zoo.families import get_family
    from zoo.registry import list_models, load_registry

    if args.remote:
        rows = list_models(args.pattern, pretrained=args.pretrained, remote=True)
        width = max([len(row["name"]) for row in rows] + [4])
        print(f"{'name':<{width}} {'hub sha':<12} {'last modified':<19} {'pinned':<12} {'status':<40} repository")
        for row in rows:
            print(f"{row['name']:<{width}} {(row['sha'] or '-')[:12]:<12} {(row['last_modified'] or '-')[:19]:<19} "
                  f"{(row['pinned'] or '-')[:12]:<12} {row['status']:<40} {row['repo_id']}")
        return
    entries = load_registry()
    names = list_models(args.pattern, pretrained=args.pretrained)
    width = max([len(n) for n in names] + [4])
    print(f"{'name':<{width}} {'family':<20} {'architecture':<16} {'pretrained':<10} metric (test)")
    for name in names:
        entry = entries[name]
        metric, measured = "", (recorded_info(entry) or {}).get("metrics")  # shipped, or withheld
        if measured:
            primary = get_family(entry.family).task.primary
            values = measured.get(primary)
            metric = f"{primary} {values['mean']:.4f} ± {values['std']:.4f}" if values else ""
        pretrained = "withheld" if entry.withheld else str(entry.pretrained)  # trained, measured, not shipped
        print(f"{name:<{width}} {entry.family:<20} {entry.architecture:<16} {pretrained:<10} {metric}")


def _info(args):
    from evaluation.cards import recorded_info
    from zoo.registry import get_entry

    entry = get_entry(args.name)
    print(json.dumps(recorded_info(entry) or entry.to_json(), indent=2))  # an untrained entry: its registry entry


def _eval(args):
    from evaluation.harness import evaluate

    print(json.dumps(evaluate(args.name, seeds=tuple(args.seeds)), indent=2))


def _predict(args):
    import keras

    import zoo
    from zoo.data import count_examples, first_examples
    from zoo.families import get_family

    model = zoo.load(args.name)
    family = get_family(model.zoo_info["family"])
    x, y = family.load_split("test", size=args.n)
    x, y = first_examples(x, y, args.n)  # some families draw a fixed test split whatever the size asked for
    outputs = model.predict(x, verbose=0)
    for i in range(count_examples(y)):  # outputs and targets: arrays or dicts of arrays
        output, target = (keras.tree.map_structure(operator.itemgetter(i), part) for part in (outputs, y))
        print(f"set {i}: {family.task.describe(output, target)}")
    report = zoo.check_symmetry(model, x)
    errors = ", ".join(f"{test} {'n/a' if report[test] is None else format(report[test], '.2e')}"
                       for test in ("permutation", "element", "padding"))
    print(f"symmetry check: passed={report['passed']} (judged: {', '.join(report['judged']) or 'nothing'}; "
          f"max abs errors: {errors})")


def _positive(text):
    """An argparse type: an integer of at least 1."""
    value = int(text) if text.lstrip("-").isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number of sets")
    return value


def _hyperparameters(pairs):
    """`["width=0.25", "dropout=0"]` → `{"width": 0.25, "dropout": 0}` (values read as JSON where they parse)."""
    values = {}
    for pair in pairs or []:
        key, sep, text = pair.partition("=")
        if not sep:
            raise ValueError(f"--hp takes NAME=VALUE; got {pair!r}.")
        try:
            values[key] = json.loads(text)
        except json.JSONDecodeError:
            values[key] = text
    return values


def _train(args):
    from zoo.pipeline import train_entry

    info = train_entry(args.name, args.budget, args.output_dir, args.work_dir, args.seed,
                       _hyperparameters(args.hp), distributed=args.distributed, devices=args.devices,
                       budget_overrides={key: getattr(args, key) for key in BUDGET_OPTIONS
                                         if getattr(args, key) is not None})
    print(json.dumps(info["metrics"], indent=2))


def _adopt(args):
    from zoo.families import get_family
    from zoo.pipeline import adopt_entry

    for folder in args.folders:
        info = adopt_entry(folder)
        primary = get_family(info["family"]).task.primary
        values = info["metrics"][primary]
        print(f"{info['name']}: {primary} {values['mean']:.4f} ± {values['std']:.4f}")


def _withhold(args):
    from zoo.families import get_family
    from zoo.pipeline import withhold_entry

    record = withhold_entry(args.name, args.reason, args.folder)
    family = get_family(record["family"])
    values = record["metrics"][family.task.primary]
    print(f"{record['name']} withheld: {family.task.primary} {values['mean']:.4f} ± {values['std']:.4f}; rewrite "
          f"the leaderboard with `zoo leaderboard {family.name} --write-only`.")


def _leaderboard(args):
    from evaluation.leaderboard import write_leaderboard
    from zoo.families import get_family
    from zoo.pipeline import run_study

    if not args.write_only and get_family(args.family).leaderboard.kind == "study":
        run_study(args.family, args.sizes, args.seeds, args.architectures)
    print(write_leaderboard(args.family).to_string(index=False))


def _sweep(args):
    from evaluation.sweep import parse_axis, write_sweep
    from zoo.pipeline import run_sweep

    if not args.write_only:
        run_sweep(args.family, [parse_axis(axis) for axis in args.axes], tuple(args.seeds), args.work_dir,
                  hyperparameters=_hyperparameters(args.hp))
    print(write_sweep(args.family).to_string(index=False))


def _push(args):
    from pathlib import Path

    from zoo.entry import verify_folder
    from zoo.hub import push
    from zoo.registry import HUB_ORGANISATION, get_entry, update_entry

    entry = None if Path(args.source).is_dir() else get_entry(args.source)
    if entry is not None:
        if not entry.pretrained:
            raise ValueError(f"{entry.name!r} has no weights to publish; train it first (`zoo train {entry.name}`).")
        verify_folder(entry.embedded_dir, entry.sha256)  # the hashes zoo.load checks the pinned revision against
    folder = entry.embedded_dir if entry else Path(args.source)
    repo_id = args.repo_id or (entry.repo_id if entry else f"{HUB_ORGANISATION}/{folder.name}")
    result = push(folder, repo_id, revision=args.revision, create_pr=args.create_pr, private=args.private,
                  dry_run=args.dry_run, endpoint=args.endpoint)
    print(json.dumps(result, indent=2))
    if entry is not None and not args.dry_run and not args.create_pr:
        update_entry(entry.name, hub={"repo_id": repo_id, "revision": result["commit"]})


def _tag(args):
    from zoo.registry import add_tagged_entry

    entry = add_tagged_entry(args.base, args.tag, _hyperparameters(args.hp))
    print(f"Registered {entry.name}: family {entry.family}, architecture {entry.architecture}, hyper-parameters "
          f"{json.dumps(entry.hyperparameters)}, Hub repository {entry.repo_id}. Train it with "
          f"`zoo train {entry.name}` (what it sets apart from {entry.base} stays fixed).")


def _benchmark(args):
    from evaluation.benchmark import main

    main(args.rest)


def build_parser():
    parser = argparse.ArgumentParser(prog="zoo", description="symmetry-zoo: models for sets, ready to load.")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("list", help="list registered models")
    p.add_argument("pattern", nargs="?", default="*")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--pretrained", action="store_const", const=True, default=None)
    group.add_argument("--untrained", dest="pretrained", action="store_const", const=False)
    p.add_argument("--remote", action="store_true",
                   help="what is published on the Hugging Face Hub under symmetry-zoo, against the registry's "
                        "pinned revisions")
    p.set_defaults(func=_list)

    p = commands.add_parser("info", help="show a model's zoo.json (provenance, metrics, symmetry)")
    p.add_argument("name")
    p.set_defaults(func=_info)

    p = commands.add_parser("eval", help="evaluate a model with the shared harness")
    p.add_argument("name")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.set_defaults(func=_eval)

    p = commands.add_parser("predict", help="predict a few test sets and check the model's symmetry")
    p.add_argument("name")
    p.add_argument("-n", type=_positive, default=5, help="how many test sets (at least 1)")
    p.set_defaults(func=_predict)

    p = commands.add_parser("train", help="search, train and write a model's entry")
    p.add_argument("name")
    p.add_argument("--budget", default="auto", choices=["auto", "cpu", "gpu"])
    for field, option in BUDGET_OPTIONS.items():
        p.add_argument(f"--{option}", dest=field, type=int, metavar="N",
                       help=f"replace the budget's {field.replace('_', ' ')} (the card's command repeats it)")
    p.add_argument("--output-dir")
    p.add_argument("--work-dir", default="runs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--hp", action="append", metavar="NAME=VALUE",
                   help="fix a hyper-parameter, e.g. --hp width=0.25 (repeatable)")
    p.add_argument("--distributed", type=int, metavar="N",
                   help="search with a keras-tuner chief and N worker processes (README: Distributed search)")
    p.add_argument("--devices", type=int, metavar="N",
                   help="train data-parallel over N devices of this machine, TensorFlow or JAX (README: Data-parallel "
                        "training)")
    p.set_defaults(func=_train)

    p = commands.add_parser("adopt", help="ship entry folders trained elsewhere, re-measured here")
    p.add_argument("folders", nargs="+", help="entry folders written by `zoo train NAME --output-dir`")
    p.set_defaults(func=_adopt)

    p = commands.add_parser("withhold", help="stop shipping an entry that falls short; keep its measured row")
    p.add_argument("name")
    p.add_argument("--reason", required=True, help="why, in a sentence (users see it in zoo.load's error)")
    p.add_argument("--folder", help="an entry folder trained elsewhere (default: the embedded copy)")
    p.set_defaults(func=_withhold)

    p = commands.add_parser("leaderboard", help="run a family's study (if it has one) and write its leaderboard")
    p.add_argument("family")
    p.add_argument("--sizes", type=int, nargs="+", help="training-set sizes of a study (default: the family's)")
    p.add_argument("--seeds", type=int, nargs="+", help="seeds of a study (default: the family's)")
    p.add_argument("--architectures", nargs="+")
    p.add_argument("--write-only", action="store_true", help="only rewrite the CSV, plot and cards")
    p.set_defaults(func=_leaderboard)

    p = commands.add_parser("sweep", help="retrain architectures at several values of a hyper-parameter; write the "
                                          "sweep's CSV and plot")
    p.add_argument("family")
    p.add_argument("axes", nargs="*", help="ARCHITECTURE:HYPERPARAMETER=V1,V2,… (e.g. sire_gru:sire_weight=0,0.1)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--work-dir", default="runs/sweep")
    p.add_argument("--hp", action="append", metavar="NAME=VALUE",
                   help="fix another hyper-parameter of every run, e.g. --hp learning_rate=0.01 (repeatable)")
    p.add_argument("--write-only", action="store_true", help="only rewrite the CSV and plot from the runs")
    p.set_defaults(func=_sweep)

    p = commands.add_parser("push", help="publish an entry to the Hugging Face Hub")
    p.add_argument("source", help="a registered name or an entry folder")
    p.add_argument("repo_id", nargs="?", help="owner/name (default: the registered repository, else "
                                              "symmetry-zoo/<name>, tag included)")
    p.add_argument("--revision")
    p.add_argument("--create-pr", action="store_true")
    p.add_argument("--private", action="store_true", default=None)
    p.add_argument("--dry-run", action="store_true",
                   help="list the files a push would upload (sizes and sha256); send nothing")
    p.add_argument("--endpoint")
    p.set_defaults(func=_push)

    p = commands.add_parser("tag", help="register BASE.TAG, another set of weights of entry BASE, for `zoo train`")
    p.add_argument("base", help="a registered untagged name, e.g. dss_sum_signals")
    p.add_argument("tag", help="lowercase letters, digits and underscores, e.g. paper_width")
    p.add_argument("--hp", action="append", metavar="NAME=VALUE",
                   help="a hyper-parameter that differs from BASE's, e.g. --hp width=1 (repeatable)")
    p.set_defaults(func=_tag)

    p = commands.add_parser("benchmark", help="time training and inference, write the benchmark CSVs")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=_benchmark)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)  # --help and argument errors end here, before any backend starts
    from zoo.quiet import start_backend

    start_backend()
    try:
        args.func(args)
    except (KeyError, ValueError, FileNotFoundError, RuntimeError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"zoo {args.command}: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
