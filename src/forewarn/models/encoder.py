"""Stage-2 sentence encoder: all-MiniLM-L6-v2 as an int8 ONNX model on onnxruntime.

The graph holds the transformer, attention-masked mean pooling and L2 normalisation, so its
output is sentence-transformers' embedding (cosine >= 0.98 to the torch model on every build
calibration text, see ``data/models/build_report.json``). Needs numpy, onnxruntime, tokenizers.

    enc = OnnxEncoder.load()                # cached: one session per process (and thread count)
    vectors = enc.encode(windows, batch_size=1, max_length=256)
    vectors.shape, vectors.dtype            # (len(windows), 384), float32; unit-length rows

``threads`` sets onnxruntime's intra-op threads (None: ``set_default_threads``'s count, else one
per physical core). A pool of worker processes gives each worker its share of the cores, so
that N workers do not run N x cores spinning threads on the same cores. Texts longer than
``max_length`` tokens (including [CLS]/[SEP]) are truncated, as sentence-transformers does.

Batching: the default, ``batch_size=1``, makes each text's vector independent of the other texts
in the call — dynamic int8 quantisation scales activations over the whole batch tensor, so in a
padded batch a vector moves (cosine to the unbatched one down to ~0.99, see
``build_report.json``). It is also the faster setting for 3-5 sentence windows on CPU
(docs/BENCHMARKS.md). Larger batches (texts sorted by length first, results in input order)
help only for short single sentences. Results are deterministic either way.

Deadlines: ``encode`` tokenizes ``TOKENIZE_CHUNK`` texts at a time and runs the model one batch
at a time; ``check`` (e.g. ``Deadline.check``), when given, is called before each chunk and each
batch, so a scan's time limit binds within a long encoding (a 1 MB text in ``--thorough`` is
some 17,000 windows, tens of seconds) instead of only once it is done. Whatever ``check``
raises propagates; the vectors are the same whether or not it is given.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tokenizers import Tokenizer

from forewarn.models.artifacts import ArtifactError, models_dir, read_json, truncating

if TYPE_CHECKING:
    import onnxruntime as ort

_CACHE: dict[tuple[Path, int | None], OnnxEncoder] = {}
_LOCK = threading.Lock()
_DEFAULT_THREADS: int | None = None
#: Texts tokenized at once by ``OnnxEncoder.encode`` (the deadline is checked between chunks).
TOKENIZE_CHUNK = 1024


def set_default_threads(threads: int | None) -> None:
    """Intra-op threads of encoders this process loads without a count (None: all cores)."""
    global _DEFAULT_THREADS
    if threads is not None and threads < 1:
        raise ValueError("threads must be at least 1")
    _DEFAULT_THREADS = threads


def threads_per_worker(workers: int) -> int:
    """Each of ``workers`` processes' share of this machine's cores (at least one)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class OnnxEncoder:
    """MiniLM sentence embeddings from the shipped int8 ONNX model."""

    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer, dim: int) -> None:
        self.session = session
        self.dim = dim
        self._json = tokenizer.to_str()  # each limit's tokenizer is made from it
        self._tokenizers: dict[int, Tokenizer] = {}

    @classmethod
    def load(cls, threads: int | None = None, directory: Path | None = None) -> OnnxEncoder:
        """The shipped encoder (or the one in ``directory``), loaded once per process and
        thread count."""
        folder = Path(directory) if directory else models_dir() / "minilm"
        threads = threads if threads is not None else _DEFAULT_THREADS
        key = (folder, threads)
        with _LOCK:
            if key not in _CACHE:
                _CACHE[key] = cls.from_folder(folder, threads)
            return _CACHE[key]

    @classmethod
    def from_folder(cls, folder: Path, threads: int | None = None) -> OnnxEncoder:
        """Open ``model.int8.onnx`` with ``tokenizer.json`` and ``config.json`` from ``folder``."""
        import onnxruntime as ort  # loaded with the judge: a fast scan never needs it

        config = read_json(folder / "config.json")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            session = ort.InferenceSession(
                str(folder / "model.int8.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ArtifactError(f"encoder incomplete in {folder}: {exc}") from exc
        return cls(session, tokenizer, int(config["dim"]))

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 1,
        max_length: int = 256,
        check: Callable[[], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts`` as a float32 array (len(texts), dim) of unit vectors.

        ``check``, when given, is called before every tokenizer chunk and model batch (a
        deadline's ``check``: whatever it raises stops the encoding)."""
        if batch_size < 1 or max_length < 2:
            raise ValueError("batch_size must be >= 1 and max_length >= 2")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        tokenizer = self._tokenizer(max_length)
        ids: list[list[int]] = []
        for start in range(0, len(texts), TOKENIZE_CHUNK):
            if check is not None:
                check()
            chunk = list(texts[start : start + TOKENIZE_CHUNK])
            ids.extend(encoding.ids for encoding in tokenizer.encode_batch(chunk))
        order = np.argsort([len(row) for row in ids], kind="stable")
        for start in range(0, len(order), batch_size):
            if check is not None:
                check()
            batch = order[start : start + batch_size]
            width = max(len(ids[i]) for i in batch)
            input_ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            feed = {"input_ids": input_ids, "attention_mask": mask}
            out[batch] = self.session.run(None, feed)[0]
        return out

    def token_lengths(self, texts: Sequence[str], max_length: int = 256) -> list[int]:
        """How many tokens (with [CLS]/[SEP], after truncation) each text feeds the model."""
        return [len(e.ids) for e in self._tokenizer(max_length).encode_batch(list(texts))]

    def _tokenizer(self, max_length: int) -> Tokenizer:
        """A copy of the tokenizer truncating at ``max_length`` (one per limit, thread-safe)."""
        tokenizer = self._tokenizers.get(max_length)
        if tokenizer is None:
            tokenizer = self._tokenizers[max_length] = truncating(self._json, max_length)
        return tokenizer


def encode_cached(
    texts: Sequence[str],
    cache: MutableMapping[str, np.ndarray] | None,
    directory: Path | None = None,
    check: Callable[[], None] | None = None,
) -> np.ndarray:
    """``OnnxEncoder.load(directory=directory).encode(texts, check=check)``, reusing and
    filling ``cache`` (text -> vector; one cache per encoder).

    The encoder is frozen, so vectors may be shared across fitted models (evaluation folds).
    ``check`` (a deadline's) is called between batches of the texts not in ``cache``; when it
    raises, ``cache`` is left as it was.
    """
    encoder = OnnxEncoder.load(directory=directory)
    if cache is None:
        return encoder.encode(texts, check=check)
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    for text, row in zip(missing, encoder.encode(missing, check=check), strict=True):
        cache[text] = row
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([cache[t] for t in texts])
