#!/usr/bin/env python3
"""Step 1: collect a JavaScript/TypeScript corpus from the repository's node_modules.

Writes work/corpus/{train,heldout}.jsonl (one {"pkg", "path", "text"} per line) and
work/corpus/manifest.json (packages, versions, licences, file and byte counts).

Held-out files come from packages listed in HELDOUT_PACKAGES, which never contribute to the
training set (nor to the tokenizer). Minified / bundled files (long lines), exact duplicates and
near duplicates (most lines already seen in an earlier file) are skipped. Everything is sorted,
so the result depends only on the contents of node_modules. The packages used are pinned in
corpus_packages.json (name → version, written by the first run or by `--refresh`); later runs use
only those packages and warn when one is absent or has another version.
"""
import hashlib
import json
import os
import sys

PINNED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_packages.json")

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
WORK = os.path.join(HERE, "work")
NODE_MODULES = os.path.join(REPO, "node_modules")

HELDOUT_PACKAGES = ["js-yaml", "diff", "commander", "chokidar", "semver"]
EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")
MAX_LINE = 400            # any longer line → minified / bundled / generated data: skip the file
MAX_MEAN_LINE = 90        # mean line length above this → skip
MAX_FILE_BYTES = 300_000  # larger files are cut at a line boundary
MAX_PACKAGE_BYTES = 1_200_000
NEAR_DUP_FRACTION = 0.7   # skip a file when this fraction of its distinctive lines was seen before
PUA = ("\ue000", "\ue001", "\ue002")  # reserved by train_tokenizer.py as placeholders


def packages():
    out = []
    for name in sorted(os.listdir(NODE_MODULES)):
        if name.startswith("."):
            continue
        if name.startswith("@"):
            for sub in sorted(os.listdir(os.path.join(NODE_MODULES, name))):
                out.append(f"{name}/{sub}")
        else:
            out.append(name)
    return [p for p in out if os.path.isfile(os.path.join(NODE_MODULES, p, "package.json"))]


def licence_of(meta):
    lic = meta.get("license", meta.get("licenses"))
    if isinstance(lic, dict):
        lic = lic.get("type")
    if isinstance(lic, list):
        lic = " OR ".join(l.get("type", str(l)) if isinstance(l, dict) else str(l) for l in lic)
    return lic or "UNKNOWN"


def source_files(pkg_dir):
    files = []
    for root, dirs, names in os.walk(pkg_dir):
        dirs[:] = sorted(d for d in dirs if d != "node_modules" and not d.startswith("."))
        for n in sorted(names):
            if n.endswith(EXTENSIONS) and ".min." not in n:
                files.append(os.path.join(root, n))
    return files


def distinctive_lines(text):
    return {hashlib.md5(l.strip().encode()).digest() for l in text.split("\n") if len(l.strip()) >= 24}


def main():
    seen_hashes = set()
    seen_lines = set()
    result = {"train": [], "heldout": []}
    manifest = {"node_modules": "repository node_modules (npm ci)", "heldout_packages": HELDOUT_PACKAGES,
                "filters": {"extensions": EXTENSIONS, "max_line_chars": MAX_LINE, "max_mean_line_chars": MAX_MEAN_LINE,
                            "max_file_bytes": MAX_FILE_BYTES, "max_package_bytes": MAX_PACKAGE_BYTES,
                            "near_duplicate_line_fraction": NEAR_DUP_FRACTION},
                "packages": []}
    all_pkgs = packages()
    pinned = None
    if os.path.exists(PINNED) and "--refresh" not in sys.argv:
        with open(PINNED) as f:
            pinned = json.load(f)
        absent = [p for p in pinned if p not in all_pkgs]
        if absent:
            print(f"warning: pinned packages absent from node_modules (corpus will differ): {absent}", file=sys.stderr)
        all_pkgs = [p for p in all_pkgs if p in pinned]
    # Training packages first, then held-out ones, so held-out files that duplicate training code are dropped.
    order = [p for p in all_pkgs if p not in HELDOUT_PACKAGES] + [p for p in HELDOUT_PACKAGES if p in all_pkgs]
    missing = [p for p in HELDOUT_PACKAGES if p not in all_pkgs]
    if missing:
        sys.exit(f"held-out packages missing from node_modules: {missing}")
    skipped = {"minified_or_long_lines": 0, "exact_duplicate": 0, "near_duplicate": 0, "not_utf8": 0, "empty": 0}
    for pkg in order:
        split = "heldout" if pkg in HELDOUT_PACKAGES else "train"
        pkg_dir = os.path.join(NODE_MODULES, pkg)
        with open(os.path.join(pkg_dir, "package.json"), encoding="utf-8") as f:
            meta = json.load(f)
        kept, kept_bytes = 0, 0
        for path in source_files(pkg_dir):
            if kept_bytes >= MAX_PACKAGE_BYTES:
                break
            try:
                with open(path, "rb") as f:
                    raw = f.read()
                text = raw.decode("utf-8")
            except (UnicodeDecodeError, OSError):
                skipped["not_utf8"] += 1
                continue
            if any(c in text for c in PUA) or not text.strip():
                skipped["empty"] += 1
                continue
            lines = text.split("\n")
            if max(len(l) for l in lines) > MAX_LINE or len(text) / len(lines) > MAX_MEAN_LINE:
                skipped["minified_or_long_lines"] += 1
                continue
            if len(text.encode("utf-8")) > MAX_FILE_BYTES:
                cut = text.encode("utf-8")[:MAX_FILE_BYTES].decode("utf-8", "ignore")
                text = cut[: cut.rfind("\n") + 1]
            h = hashlib.sha256(text.encode("utf-8")).digest()
            if h in seen_hashes:
                skipped["exact_duplicate"] += 1
                continue
            dl = distinctive_lines(text)
            if dl and len(dl & seen_lines) >= NEAR_DUP_FRACTION * len(dl):
                skipped["near_duplicate"] += 1
                continue
            seen_hashes.add(h)
            seen_lines |= dl
            rel = os.path.relpath(path, NODE_MODULES)
            result[split].append({"pkg": pkg, "path": rel, "text": text})
            kept += 1
            kept_bytes += len(text.encode("utf-8"))
        if pinned is not None and pinned.get(pkg) != meta.get("version"):
            print(f"warning: {pkg} is {meta.get('version')}, pinned {pinned.get(pkg)} (corpus will differ)", file=sys.stderr)
        if kept:
            manifest["packages"].append({"name": pkg, "version": meta.get("version"), "license": licence_of(meta),
                                         "split": split, "files": kept, "bytes": kept_bytes})
    os.makedirs(os.path.join(WORK, "corpus"), exist_ok=True)
    for split, docs in result.items():
        with open(os.path.join(WORK, "corpus", f"{split}.jsonl"), "w", encoding="utf-8") as f:
            for d in docs:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
        manifest[split] = {"files": len(docs), "bytes": sum(len(d["text"].encode("utf-8")) for d in docs),
                           "packages": len({d["pkg"] for d in docs})}
    manifest["skipped_files"] = skipped
    if pinned is None:
        with open(PINNED, "w") as f:
            json.dump({p["name"]: p["version"] for p in manifest["packages"]}, f, indent=0, sort_keys=True)
            f.write("\n")
    with open(os.path.join(WORK, "corpus", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({k: manifest[k] for k in ("train", "heldout", "skipped_files")}))


if __name__ == "__main__":
    main()
