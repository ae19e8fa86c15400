#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""The draw alone, in standard-library Python: the baseline `npm run bench:draw` times `ssj draw` against.

    python3 bench/draw_py.py MANIFEST_DIR OUT_FILE role:person_id:entropy role:person_id:entropy ...

It is docs/draw-spec.md as files/publication/verify.py implements it (the standalone verifier
shipped in every disclosure folder): that file's manifest parser and draw, loaded as a module, and
the record written as `ssj draw` writes it (same keys, order and indentation), so the benchmark can
check that both programs made the same record byte for byte. ssj-draw/1 witnesses only.
"""
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFY_PY = os.path.join(HERE, "..", "files", "publication", "verify.py")


def load_verifier():
    spec = importlib.util.spec_from_file_location("ssj_verify", VERIFY_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    manifest_dir, out = argv[1], argv[2]
    v = load_verifier()
    # verify.py reads <folder>/manifest/<file>.
    folder = os.path.dirname(os.path.abspath(manifest_dir))
    if os.path.basename(os.path.abspath(manifest_dir)) != "manifest":
        sys.stderr.write("draw_py.py: the manifest folder must be named manifest (as in a disclosure folder)\n")
        return 2
    m = v.parse_manifest(folder)
    witnesses = []
    for text in argv[3:]:
        role, person_id, entropy = text.split(":")
        witnesses.append({"role": role, "person_id": person_id, "entropy": entropy})
    witnesses.sort(key=lambda w: w["role"])
    seed = v.seed_of(m["spec"], m["manifest_digest"], witnesses)
    _, pools, assignments, _, _ = v.recompute(m, seed)
    record = {
        "spec": m["spec"], "campaign": m["campaign"],
        "manifest": dict((f, m["digests"][f]) for f in v.MANIFEST_FILES),
        "manifest_digest": m["manifest_digest"], "witnesses": witnesses, "seed": seed,
        "team_size": m["team_size"], "exclusive": m["exclusive"], "pools": pools, "assignments": assignments,
    }
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print("units drawn: %d, record written to %s" % (len(assignments), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
