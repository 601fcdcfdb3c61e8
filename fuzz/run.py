"""Run one fuzz target under atheris/libFuzzer: ``python -m fuzz.run TARGET [libFuzzer flags]``.

The corpus lives in ``fuzz/corpus/TARGET`` (seeded from the test fixtures on first use), crashes
land in ``fuzz/crashes/TARGET/``. Example: ``python -m fuzz.run epub -max_total_time=600``.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import atheris

FUZZ = Path(__file__).resolve().parent
DEFAULT_FLAGS = ["-timeout=5", "-rss_limit_mb=2048", "-max_len=65536", "-print_final_stats=1"]
DEFAULT_FLAGS.append(f"-dict={FUZZ / 'dicts' / 'forewarn.dict'}")
#: Whole-pipeline scans cost more per byte: shorter inputs keep the fuzzer exploring.
TARGET_FLAGS = {"scan": ["-max_len=1024"], "epub": ["-max_len=4096"]}

with atheris.instrument_imports(include=["forewarn"]):
    import forewarn.builder
    import forewarn.detectors.context
    import forewarn.detectors.patterns
    import forewarn.document
    import forewarn.language
    import forewarn.normalize
    import forewarn.readers
    import forewarn.readers.ao3
    import forewarn.readers.epub
    import forewarn.readers.html
    import forewarn.readers.markdown
    import forewarn.readers.text
    import forewarn.render.safe
    import forewarn.render.terminal
    import forewarn.report
    import forewarn.scanner
    import forewarn.segment  # noqa: F401

from fuzz.targets import TARGETS, seeds, warm_up  # noqa: E402


def prepare(name: str, corpus: Path) -> Path:
    """``corpus`` holding the target's fixture seeds (added once, by content hash)."""
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds(name):
        (corpus / f"seed-{hashlib.sha1(seed).hexdigest()[:16]}").write_bytes(seed)
    return corpus


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: python -m fuzz.run {{{','.join(TARGETS)}}} [libFuzzer flags]")
    name, flags = argv[1], argv[2:]
    crashes = FUZZ / "crashes" / name
    crashes.mkdir(parents=True, exist_ok=True)
    inputs = [Path(f) for f in flags if not f.startswith("-")]
    args = [argv[0], *DEFAULT_FLAGS, *TARGET_FLAGS.get(name, []), *flags]
    if not any(f.startswith("-artifact_prefix=") for f in flags):
        args.insert(1, f"-artifact_prefix={crashes}/")
    if not inputs:  # fuzzing with the target's own corpus
        args.append(str(prepare(name, FUZZ / "corpus" / name)))
    elif not inputs[0].is_file():  # fuzzing with a given corpus folder: create and seed it
        prepare(name, inputs[0])
    warm_up()
    atheris.Setup(args, TARGETS[name])
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
