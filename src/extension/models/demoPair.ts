// The tiny demo pair that ships in a clone of the repository, in media/models/tinypair (made by
// src/lab/modelmaker/tinypair/, described in its README). The VSIX leaves it out, so an installed extension has no demo pair.
import {existsSync} from "node:fs";
import {join} from "node:path";

export interface DemoPair {
  target: string;
  draft: string;
}

/** Where the pair lies, relative to the repository root (= the extension's folder in a clone). */
export const DEMO_PAIR_FOLDER = ["media", "models", "tinypair"] as const;

export function demoPairPaths(root: string): DemoPair {
  const folder = join(root, ...DEMO_PAIR_FOLDER);
  return {target: join(folder, "target.gguf"), draft: join(folder, "draft.gguf")};
}

/** The pair under `root`, or undefined when its files are not there (an installed VSIX). */
export function findDemoPair(root: string): DemoPair | undefined {
  const pair = demoPairPaths(root);
  return existsSync(pair.target) && existsSync(pair.draft) ? pair : undefined;
}
