"""``forewarn eval``: reproducible evaluations, registered on the main CLI as a sub-command."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from forewarn.detectors.model import shipped_model
from forewarn.errors import InputError
from forewarn.evaluation import corpus as corpus_eval
from forewarn.evaluation import novels as novels_eval
from forewarn.evaluation.ceiling import ceilings
from forewarn.evaluation.extras import MissingDependency
from forewarn.evaluation.passage_lr import PassageLRSystem, VectorFile
from forewarn.evaluation.protocol import Protocol, evaluate
from forewarn.evaluation.systems import SystemFactory, registered_systems, resolve_system
from forewarn.evaluation.tables import print_agreement, print_ceiling, print_tables, to_dict
from forewarn.evaluation.webis import file_sha256, load_passages, passages_path
from forewarn.exits import ExitCode, fail
from forewarn.learn.corpus import Record, read_corpus
from forewarn.models.passage import PassageModel

eval_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Evaluate forewarn and baselines on published benchmarks.",
)
_err = Console(stderr=True, highlight=False)


def _vector_system(name: str, file: Path) -> SystemFactory:
    """A factory of ``passage-lr`` on the vectors in ``file`` (read once, shared by folds)."""
    try:
        vectors = VectorFile(file)
    except (OSError, KeyError, ValueError) as exc:
        raise typer.BadParameter(f"{file}: {exc}", param_hint="--embeddings") from None
    return lambda: PassageLRSystem(embed=vectors, name=name)


@eval_app.command()
def webis(
    path: Annotated[Path, typer.Argument(help="Webis passages.jsonl, or the folder holding it.")],
    system: Annotated[
        list[str] | None,
        typer.Option(
            "--system",
            "-s",
            help="A registered system or module:factory (repeatable; default: the default set).",
        ),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    seeds: Annotated[int, typer.Option(min=1, help="Seeds 0..N-1 (split and sample).")] = 5,
    per_class: Annotated[
        int, typer.Option(min=1, help="Test positives and negatives per warning per fold.")
    ] = 20,
    capped: Annotated[
        bool,
        typer.Option(
            "--capped", help="Cap test positives and negatives separately (not balanced)."
        ),
    ] = False,
    embeddings: Annotated[
        list[str] | None,
        typer.Option(
            "--embeddings",
            help="NAME=FILE.npz: also run passage-lr[NAME] on these precomputed passage vectors "
            "(models/embed_passages.py writes them; repeatable).",
        ),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the full results as JSON here.")
    ] = None,
) -> None:
    """Webis passage-level warnings (ACL 2024): grouped CV on balanced test samples."""
    names = system or [n for n, r in registered_systems().items() if r.default]
    try:
        factories = {name: resolve_system(name) for name in names}
    except KeyError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--system") from None
    for spec in embeddings or []:
        name, _, file = spec.partition("=")
        if not name or not file:
            raise typer.BadParameter(f"{spec!r} is not NAME=FILE", param_hint="--embeddings")
        factories[f"passage-lr[{name}]"] = _vector_system(name, Path(file))
    try:
        passages = load_passages(path)
    except InputError as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.INPUT) from None
    protocol = Protocol(
        folds=folds, seeds=tuple(range(seeds)), per_class=per_class, balanced=not capped
    )
    try:
        result = evaluate(passages, factories, protocol)
    except MissingDependency as exc:
        fail(str(exc))
        raise typer.Exit(ExitCode.INPUT) from None
    except (KeyError, ValueError) as exc:
        fail(f"{passages_path(path)}: evaluation failed ({exc})")
        raise typer.Exit(ExitCode.INPUT) from None
    console = Console(highlight=False)
    print_tables(result, len(passages), console)
    try:
        found = ceilings(passages)
    except ImportError:  # scipy comes with the train extra; the tables stand without it
        found = {}
        _err.print("note: the annotation ceiling needs scipy: pip install 'forewarn[train]'")
    print_ceiling(result, found, console)
    print_agreement(result, passages, console)
    if json_out is not None:
        data = {
            "path": str(passages_path(path)),
            "sha256": file_sha256(path),
            "passages": len(passages),
        }
        command = shlex.join(["forewarn", *sys.argv[1:]])
        try:
            record = to_dict(result, data, command, found, passages)
            json_out.write_text(json.dumps(record, indent=2) + "\n")
        except OSError as exc:
            fail(f"{json_out}: cannot write file ({exc.strerror or exc})")
            raise typer.Exit(ExitCode.INPUT) from None


@eval_app.command()
def corpus(
    folder: Annotated[
        Path, typer.Argument(help="The corpus folder holding test.jsonl (training/corpus).")
    ] = Path("training/corpus"),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the table (Markdown).")
    ] = None,
    split: Annotated[
        str, typer.Option(help="test (the frozen report) or dev (for choosing between designs).")
    ] = "test",
    model: Annotated[
        Path | None, typer.Option(help="A passage model .npz to score instead of the shipped one.")
    ] = None,
) -> None:
    """The shipped passage model on the corpus's frozen test split, per category and mode."""
    records = _split(folder, split)
    scored = PassageModel.load(model) if model is not None else shipped_model()
    encoder = model.parent / scored.encoder if model is not None else None
    results = corpus_eval.evaluate_corpus(scored, records, encoder)
    table = corpus_eval.markdown(results, folder / f"{split}.jsonl")
    Console(highlight=False).print(table, markup=False, soft_wrap=True)
    if output is not None:
        output.write_text(table + "\n", encoding="utf-8")


def _split(folder: Path, split: str) -> list[Record]:
    """The corpus records of ``split`` (test or dev); a usage or input error otherwise."""
    if split not in ("test", "dev"):
        raise typer.BadParameter("choose test or dev", param_hint="--split")
    try:
        return read_corpus(folder, (split,))
    except (OSError, KeyError, ValueError) as exc:
        fail(f"{folder}: cannot read the {split} split ({exc})")
        raise typer.Exit(ExitCode.INPUT) from None


@eval_app.command()
def novels(
    texts: Annotated[
        Path, typer.Argument(help="The folder of the novels (../shared/texts).")
    ] = Path("../shared/texts"),
    corpus: Annotated[
        Path, typer.Option(help="The corpus whose labelled windows are the events.")
    ] = Path("training/corpus"),
    split: Annotated[
        str, typer.Option(help="dev (for choosing between designs) or test (the frozen report).")
    ] = "dev",
    mode: Annotated[
        list[str] | None, typer.Option(help="Scan modes to compare (repeatable).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the table (Markdown).")
    ] = None,
) -> None:
    """Whole novels scanned: the share of the corpus's labelled events located, per mode."""
    records = _split(corpus, split)
    results = [novels_eval.evaluate_novels(texts, records, m) for m in mode or ["default"]]
    table = novels_eval.markdown(results)
    Console(highlight=False).print(table, markup=False, soft_wrap=True)
    if output is not None:
        output.write_text(table + "\n", encoding="utf-8")
