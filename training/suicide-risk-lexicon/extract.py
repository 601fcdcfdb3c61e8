"""Extract the taxonomy-relevant constructs of the Suicide Risk Lexicon from the construct-tracker
wheel, without installing it (its pinned dependencies conflict with everything).

    pip download --no-deps construct-tracker==1.0.16 -d /tmp/ct
    python training/suicide-risk-lexicon/extract.py \
        /tmp/ct/construct_tracker-1.0.16-py3-none-any.whl

Writes constructs.json and LICENSE next to this script.
"""

from __future__ import annotations

import json
import sys
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEXICON = "construct_tracker/data/lexicons/suicide_risk_lexicon_v1-0/"
VALIDATED = LEXICON + "suicide_risk_lexicon_validated_24-08-02T21-27-35.json"
PROTOTYPICAL = LEXICON + "suicide_risk_lexicon_validated_prototypical_tokens_24-08-07T16-25-19.json"


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        item = " ".join(item.split())
        if item and item.lower() not in (k.lower() for k in seen):
            seen[item] = None
    return list(seen)


def main(wheel: str) -> None:
    mapping = tomllib.loads((HERE / "mapping.toml").read_text())["construct"]
    with zipfile.ZipFile(wheel) as zf:
        validated = json.loads(zf.read(VALIDATED))
        prototypical = json.loads(zf.read(PROTOTYPICAL))
        licence = next(n for n in zf.namelist() if n.endswith(".dist-info/LICENSE"))
        (HERE / "LICENSE").write_bytes(zf.read(licence))
        version = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = zf.read(version).decode()
    package_version = next(
        ln.split(": ", 1)[1] for ln in meta.splitlines() if ln.startswith("Version: ")
    )
    constructs = []
    for name, target in mapping.items():
        entry = validated[name]
        # "tokens" holds the surface phrases followed by their lemmatised copies; keep the former
        tokens = list(entry["tokens"])
        if len(tokens) % 2 or tokens[len(tokens) // 2 :] == tokens[: len(tokens) // 2]:
            raise SystemExit(f"{name}: unexpected token layout")
        surface = tokens[: len(tokens) // 2]
        constructs.append(
            {
                "construct": name,
                "categories": target["categories"],
                "relation": target["relation"],
                "definition": " ".join(str(entry["definition"]).split()),
                "examples": entry["examples"]
                if isinstance(entry["examples"], str)
                else "; ".join(entry["examples"]),
                "tokens": _unique(surface),
                "prototypical_tokens": _unique(list(prototypical[name]["tokens"])),
            }
        )
    out = {
        "source": "Suicide Risk Lexicon v1.0 (Low, Rankin, Bentley, Nock, Ghosh), "
        f"from the construct-tracker {package_version} wheel: {VALIDATED}",
        "licence": "Apache-2.0 (see LICENSE)",
        "constructs": constructs,
    }
    (HERE / "constructs.json").write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(constructs)} constructs, {sum(len(c['tokens']) for c in constructs)} phrases")


if __name__ == "__main__":
    main(sys.argv[1])
