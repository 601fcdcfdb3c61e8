"""Generated corpora for batch tests: seeded, original sentences, some with sensitive events."""

from __future__ import annotations

import random
from pathlib import Path

CALM = [
    "The rain kept falling on the harbour town all afternoon.",
    "Mara made tea and read the old letters again by the window.",
    "The ferry was late, so they waited on the pier and counted gulls.",
    "Tobias fixed the bicycle chain with a borrowed wrench.",
    "Their grandmother's garden smelled of mint and wet earth.",
    "Nobody in the village could remember who had painted the lighthouse blue.",
    "She laughed at the joke even though she had heard it twice before.",
    "The bakery opened early and the street filled with the smell of bread.",
    "He wrote the date at the top of the page and then stared at it.",
    "A dog barked somewhere down the lane and then fell quiet.",
]
EVENTS = [
    "He died in the hospital that night, long before anyone arrived.",
    "She cut her arm with a razor blade and hid the marks under her sleeve.",
    "They beat him until he could not stand, and kicked him when he fell.",
    "He thought about ending his life and wrote a note for his sister.",
    "She swallowed every pill in the bottle and lay down to wait.",
    "The soldier was shot in the chest and bled out in the mud.",
    "The other boys called him worthless and shoved him into the lockers every day.",
    "He stepped off the edge of the roof and fell.",
    "Blood ran from the wound on her forehead.",
    "She couldn't stop thinking that everyone would be better off without her.",
]


def make_work(rng: random.Random, words: int) -> str:
    """A story of about ``words`` words: calm paragraphs with a few events mixed in."""
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = [rng.choice(CALM) for _ in range(rng.randint(3, 6))]
        if rng.random() < 0.15:
            sentences.insert(rng.randrange(len(sentences)), rng.choice(EVENTS))
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(paragraphs) + "\n"


def write_corpus(
    folder: Path, n: int, seed: int = 0, words: tuple[int, int] = (200, 600)
) -> list[Path]:
    """``n`` text files ``work-NNN.txt`` under ``folder`` (in two subfolders), seeded."""
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        path = folder / ("part-a" if i % 2 else "part-b") / f"work-{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make_work(rng, rng.randint(*words)), encoding="utf-8")
        paths.append(path)
    return paths
