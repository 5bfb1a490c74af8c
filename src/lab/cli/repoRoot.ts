// Locates the Draftstop repository root from compiled code, wherever it was emitted
// (out/src/lab/cli by tsc, out/dist/cli by esbuild, out/test/... for tests).
import {existsSync, readFileSync} from "node:fs";
import path from "node:path";

/** The nearest ancestor of `from` (default: this file's folder) whose package.json is named "draftstop". */
export function repoRoot(from: string = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "draftstop")
      return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`No Draftstop package.json above ${from}`);
  }
}
