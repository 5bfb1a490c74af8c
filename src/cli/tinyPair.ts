// The tiny trained pair that ships in the repository (src/modelmaker/tinypair), and its padded
// target: the same distributions at about 15× a draft token's cost, like a 0.5B draft and a 7B
// target (generated on first use into .cache/, never committed).
import {existsSync} from "node:fs";
import {join} from "node:path";
import {ensurePaddedTarget} from "../modelmaker/paddedTarget";
import {DEMO_PAIR_FOLDER, demoPairPaths} from "../models/demoPair";
import {repoRoot} from "./repoRoot";

export interface ModelPair {
  target: string;
  draft: string;
  /** Whether the target is the padded one. */
  padded: boolean;
  /** "tiny trained target, padded (+N blocks, measured R× a draft token)" and the like. */
  description: string;
}

export function tinyPairPaths(): {target: string; draft: string} {
  const paths = demoPairPaths(repoRoot());
  for (const path of Object.values(paths))
    if (!existsSync(path)) throw new Error(`${path} is missing: the tiny pair ships with the repository (see ${DEMO_PAIR_FOLDER.join("/")}/README.md)`);
  return paths;
}

export async function tinyPair(options: {padded: boolean}): Promise<ModelPair> {
  const {target, draft} = tinyPairPaths();
  if (!options.padded) return {target, draft, padded: false, description: "tiny trained pair (unpadded target)"};
  const padded = await ensurePaddedTarget({targetPath: target, draftPath: draft, cacheDir: join(repoRoot(), ".cache", "draftstop")});
  return {
    target: padded.path, draft, padded: true,
    description: `tiny trained pair, padded target (+${padded.extraBlocks} zero-output blocks, one target token ≈ ${padded.measuredRatio.toFixed(1)}× a draft token)`
  };
}
