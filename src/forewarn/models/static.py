"""Stage-1 static sentence embeddings: a model2vec distillation of all-MiniLM-L6-v2.

Each token has one fixed vector; a text's embedding is the mean of its tokens' vectors,
L2-normalised — exactly model2vec's ``StaticModel.encode`` (tokens without special tokens,
``[UNK]`` dropped, truncated to ``max_length`` tokens after cutting the text to
``max_length * median_token_length`` characters; a text with no known token maps to zeros).
Needs only numpy and tokenizers: tens of thousands of sentences per second on a laptop CPU.

    emb = StaticEmbedder.load()            # cached: one instance per process (and directory)
    vectors = emb.encode(["He jumped off the bridge.", "They ate breakfast."])
    vectors.shape, vectors.dtype           # (2, emb.dim), float32; rows have unit length

Threads: numpy's part is single-threaded; tokenisation runs on the tokenizers library's Rust
thread pool, sized by the ``RAYON_NUM_THREADS`` environment variable (read once, at the first
batch) and switched off by ``TOKENIZERS_PARALLELISM=false``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from forewarn.models.artifacts import (
    ArtifactError,
    models_dir,
    read_json,
    read_safetensors,
    truncating,
)

#: Texts per batch at most: a batch's (texts x dim) float32 sums, means and norms are made at
#: once (4 MB each at 4,096 texts, a 2 MB page of tiny elements' peak).
BATCH_TEXTS = 1024
#: Characters per batch at most (a batch is tokenized at once): the tokenizer's encodings of
#: a batch of dense tokens (table rows, "|x|x...") took 25 MB at 262,144 characters.
BATCH_CHARS = 65_536
#: Token vectors (1 KB each) looked up at once: a batch of long lines of short tokens
#: ("a a a ...", a token every two characters) held 130 MB of them; 16 MB at 16,384.
LOOKUP_TOKENS = 4096

_CACHE: dict[Path, StaticEmbedder] = {}
_LOCK = threading.Lock()


class StaticEmbedder:
    """Mean-of-token-vectors sentence embeddings from a static (model2vec) table."""

    def __init__(
        self,
        vectors: np.ndarray,
        tokenizer: Tokenizer,
        *,
        normalize: bool = True,
        median_token_length: int = 1,
    ) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != tokenizer.get_vocab_size():
            raise ArtifactError(
                f"static table {vectors.shape} does not fit a {tokenizer.get_vocab_size()}-token "
                "vocabulary"
            )
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.normalize = normalize
        self.median_token_length = median_token_length
        self._json = tokenizer.to_str()  # each limit's tokenizer is made from it
        unk = getattr(tokenizer.model, "unk_token", None)
        self.unk_id: int | None = tokenizer.token_to_id(unk) if unk else None
        self._tokenizers: dict[int | None, Tokenizer] = {}

    @classmethod
    def load(cls, directory: Path | None = None) -> StaticEmbedder:
        """The shipped model (or the model2vec folder ``directory``), loaded once per process."""
        folder = Path(directory) if directory else models_dir() / "static"
        with _LOCK:
            if folder not in _CACHE:
                _CACHE[folder] = cls.from_folder(folder)
            return _CACHE[folder]

    @classmethod
    def from_folder(cls, folder: Path) -> StaticEmbedder:
        """Read ``model.safetensors`` + ``tokenizer.json`` + ``config.json`` (model2vec layout)."""
        config = read_json(folder / "config.json")
        try:
            tensors = read_safetensors(folder / "model.safetensors")
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except (FileNotFoundError, OSError) as exc:
            raise ArtifactError(f"static model incomplete in {folder}: {exc}") from exc
        if "embeddings" not in tensors:
            raise ArtifactError(f"{folder}/model.safetensors has no 'embeddings' tensor")
        return cls(
            tensors["embeddings"],
            tokenizer,
            normalize=bool(config.get("normalize", True)),
            median_token_length=int(config.get("median_token_length", 1)),
        )

    @property
    def dim(self) -> int:
        """Embedding size."""
        return int(self.vectors.shape[1])

    def encode(
        self,
        texts: Sequence[str],
        max_length: int | None = 512,
        batch_size: int = BATCH_TEXTS,
        batch_chars: int = BATCH_CHARS,
        check: Callable[[], None] | None = None,
    ) -> np.ndarray:
        """Embed ``texts`` as a float32 array (len(texts), dim); ``max_length`` in tokens
        (512 as in model2vec; None: no truncation). A batch holds at most ``batch_size`` texts
        and ``batch_chars`` characters (or one text), since every token of a batch is looked
        up at once: 4,096 long table rows would take gigabytes. ``check`` (a deadline's), when
        given, is called before every batch; whatever it raises stops the encoding."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start, vectors in self.batches(texts, max_length, batch_size, batch_chars, check):
            out[start : start + len(vectors)] = vectors
        return out

    def batches(
        self,
        texts: Sequence[str],
        max_length: int | None = 512,
        batch_size: int = BATCH_TEXTS,
        batch_chars: int = BATCH_CHARS,
        check: Callable[[], None] | None = None,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """``encode``'s rows batch by batch, as (first row, float32 array): the same batches
        and so the same vectors, without holding all of them at once (a text of two million
        tiny sentences would take 2 GB)."""
        cut = None if max_length is None else max_length * self.median_token_length
        start = 0
        while start < len(texts):
            if check is not None:
                check()
            end, size = start, 0
            while end < len(texts) and end - start < batch_size:
                size += len(texts[end]) if cut is None else min(cut, len(texts[end]))
                if size > batch_chars and end > start:
                    break
                end += 1
            yield start, self._encode_batch(texts[start:end], max_length)
            start = end

    def _tokenizer(self, max_length: int | None) -> Tokenizer:
        """A copy of the tokenizer truncating at ``max_length`` (one per limit, thread-safe)."""
        tokenizer = self._tokenizers.get(max_length)
        if tokenizer is None:
            tokenizer = self._tokenizers[max_length] = truncating(self._json, max_length)
        return tokenizer

    def _encode_batch(self, texts: Sequence[str], max_length: int | None) -> np.ndarray:
        if max_length is not None:
            cut = max_length * self.median_token_length
            texts = [text[:cut] for text in texts]
        else:
            texts = list(texts)
        encodings = self._tokenizer(max_length).encode_batch_fast(texts, add_special_tokens=False)
        ids = [encoding.ids for encoding in encodings]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        rows = np.repeat(np.arange(len(ids)), lengths)
        if self.unk_id is not None:
            known = flat != self.unk_id
            flat, rows = flat[known], rows[known]
        counts = np.bincount(rows, minlength=len(ids))
        sums = np.zeros((len(ids), self.dim), dtype=np.float32)
        ends = np.cumsum(counts)  # each text's tokens are flat[ends - counts : ends]
        for first, last in _runs(ends, LOOKUP_TOKENS):
            filled = counts[first:last] > 0
            if filled.any():
                # Each text's vectors summed in order, as over the whole batch at once.
                low, high = int(ends[first] - counts[first]), int(ends[last - 1])
                starts = (ends - counts)[first:last][filled] - low
                vectors = self.vectors[flat[low:high]]
                sums[first:last][filled] = np.add.reduceat(vectors, starts, axis=0)
        means = sums / np.maximum(counts, 1)[:, None].astype(np.float32)
        if self.normalize:
            means /= np.linalg.norm(means, axis=1, keepdims=True) + np.float32(1e-32)
        return means


def _runs(ends: np.ndarray, tokens: int) -> Iterator[tuple[int, int]]:
    """Texts ``first..last-1`` in runs of at most ``tokens`` tokens (or one text), given the
    cumulative token count at the end of each text."""
    first, done = 0, 0
    while first < len(ends):
        last = max(first + 1, int(np.searchsorted(ends, done + tokens, side="right")))
        yield first, last
        first, done = last, int(ends[last - 1])
