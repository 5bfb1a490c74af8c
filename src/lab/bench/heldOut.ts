// The held-out corpus: library code that `npm ci` installs and that no tuning here has seen. The
// benchmark's defaults were tuned on this repository's src/ and test/; figures on these files say
// whether they hold on other code. The packages are the five the tiny pair and the SmolLM2 draft
// held out of training (src/lab/modelmaker/tinypair/prepare_corpus.py, HELDOUT_PACKAGES), less the two
// whose installed files are compiled output (diff's lib/ is Babel's, chokidar's tsc's): only
// human-written sources, read where npm put them, never copied into the repository.
import {existsSync, statSync} from "node:fs";
import {join} from "node:path";
import {BenchSetupError} from "../../benchmark/errors";

/** Each held-out package and its folders of hand-written source (versions as pinned in package-lock.json when chosen). */
export const HELD_OUT_SOURCES: ReadonlyArray<{package: string; folders: readonly string[]}> = [
  {package: "js-yaml", folders: ["lib"]}, // 4.3.2
  {package: "commander", folders: ["lib"]}, // 10.0.1
  {package: "semver", folders: ["classes", "functions", "internal", "ranges"]} // 7.8.6
];

/** The held-out source folders under `nodeModules` (the repository's node_modules); throws where npm ci has not put them. */
export function heldOutRoots(nodeModules: string): string[] {
  const roots = HELD_OUT_SOURCES.flatMap(source => source.folders.map(folder => join(nodeModules, source.package, folder)));
  const missing = roots.filter(root => !existsSync(root) || !statSync(root).isDirectory());
  if (missing.length > 0)
    throw new BenchSetupError(`held-out sources missing: ${missing.join(", ")}. Run \`npm ci\` to install them, or cut tasks from other code with --tasks DIR and --edit-tasks DIR`);
  return roots;
}
