// npm run bench [-- options]: every draft-length policy side by side on the same tasks and models.
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {editTasksFromSources} from "../bench/editTasks";
import {heldOutRoots} from "../bench/heldOut";
import {writePlots} from "../bench/plots";
import {benchJson, benchTable} from "../../benchmark/report";
import type {BenchColumn} from "../../benchmark/column";
import {labColumns} from "../bench/lineup";
import {PolicyColumnSpec, policyColumn} from "../../benchmark/policyColumn";
import {BenchResult, runBenchmark} from "../../benchmark/runner";
import {summaryLines} from "../bench/summary";
import {BenchTask, interleave, taskSet, tasksFromJsonl, tasksFromSources} from "../../benchmark/tasks";
import {DRAFTER_SETTINGS, DrafterSetting, DraftstopEngine, POLICY_DEFAULTS, POLICY_NAMES, PolicyName} from "../../engine";
import {policyParams} from "./cliText";
import {repoRoot} from "./repoRoot";
import {namedPair} from "./pairs";
import {llamaCppAvailable, llamaCppColumns} from "../bench/llamaCppRun";
import type {ModelPair} from "./tinyPair";
import {ModelFetchError} from "../modelmaker/smollm2/fetch";
import {hereProfile, readCostProfile} from "../bench/costProfiles";
import {ProfileClock} from "../../engine/drafting/passClock";

const USAGE = `usage: npm run bench -- [options]
  --pair LIST         comma-separated, run one after the other (default padded,wide,smollm2):
                        padded   tiny pair with the padded target: the rig where speculation cannot pay here
                        wide     tiny pair with the wide Q8_0 target: the rig where it can
                        smollm2  SmolLM2-135M and its draft (skipped with a message where pip cannot fetch it)
                        tiny     tiny pair, unpadded target
                        strong   SmolLM2-135M drafting for itself less one block: 72 % greedy acceptance,
                                 a draft costing 0.93 of the target here (for --clock profile:… only)
  --padded            the same as --pair padded
  --target F --draft F  any GGUF pair of one family instead; --target F alone runs target-only and
                      the lookup columns (lookup drafting needs no draft model)
  --quick             fewer tasks, repeats and tokens (3 FIM + 3 editing, 2 repeats, 32 tokens), same output schema
  --tasks DIR|FILE    source folder(s) to cut FIM positions from, or a .jsonl of {prefix, suffix[, set]}
                      whose tasks are then all the tasks, set by set ("fim" or "edit"; default fim)
                      (default: this repository's src/ and test/)
  --edit-tasks DIR    source folder(s) to cut editing tasks from: the cursor at a line that has a
                      near-copy in the 60 lines above (the next case, test or similar call), the line
                      removed (default: the --tasks folders, else this repository's src/ and test/)
  --heldout           cut both sets from code no tuning here saw: the hand-written sources of
                      js-yaml, commander and semver in node_modules (held out of the models' training
                      too); --tasks and --edit-tasks still win
  --count N           FIM tasks (default 8, quick 3)   --edit-count N  editing tasks (default: --count; 0: none)
  --repeats N         (default 3, quick 2)
  --temperatures L    comma-separated (default 0,0.7,1,1.5)
  --max-tokens N      tokens per completion (default 48, quick 32)
  --stop-at-eog       end a completion at the model's end-of-middle token (default: always
                      decode --max-tokens tokens, so every policy decodes the same amount)
  --threads N         threads per model (default 1; on 2 cores, 2 threads measured several times slower)
  --gpu G             auto | cuda | metal | vulkan | off (default auto)
  --policy SPEC       add a policy to the line-up, e.g. adaedl:gamma=0.05,alpha=0.5 or static:k=12 (repeatable);
                      @DRAFTER drafts from model (default), lookup, both or auto, /vote picks the lookup
                      match most earlier occurrences agree on: static:k=4@lookup/vote
  --only              run target-only and the --policy columns only: an A/B of variants, e.g.
                      --only --policy costAware --policy costAware:laterOptimism=0 --policy static:k=1
  --clock C           wall (default): time every pass; profile:NAME or profile:FILE: charge every pass
                      from a cost profile (src/lab/bench/profiles/ or a file: two runs print the same
                      tables; or "here": this machine's pass costs as measured at load, bookkeeping as
                      measured, so not repeatable); the peers that run outside the engine's rounds
                      are left out
  --json FILE         write the results as JSON
  --plots DIR         write SVG plots
  --seed N            task and sampling seed (default 1)
  --flash-attention   load with flash attention (as npm run sweep does): a pass's greedy tokens are then
                      the same whatever its width, so every rule emits the same text at T = 0`;

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    pair: {type: "string"}, padded: {type: "boolean", default: false}, quick: {type: "boolean", default: false},
    target: {type: "string"}, draft: {type: "string"}, tasks: {type: "string", multiple: true},
    "edit-tasks": {type: "string", multiple: true}, "edit-count": {type: "string"}, heldout: {type: "boolean", default: false},
    count: {type: "string"}, repeats: {type: "string"}, temperatures: {type: "string"}, "max-tokens": {type: "string"},
    threads: {type: "string"}, gpu: {type: "string"}, json: {type: "string"}, plots: {type: "string"}, seed: {type: "string"},
    policy: {type: "string", multiple: true}, only: {type: "boolean", default: false}, "stop-at-eog": {type: "boolean", default: false},
    clock: {type: "string"}, "flash-attention": {type: "boolean", default: false},
    help: {type: "boolean", default: false}
  }});
  if (values.help) return console.log(USAGE);
  const number = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n)) throw new Error(`--${name}: ${JSON.stringify(text)} is not a number`);
    return n;
  };
  const threads = values.threads === undefined ? 1 : number("threads", values.threads, 1);
  if (values.target === undefined && values.draft !== undefined) throw new Error("--draft needs --target: the draft drafts for that target");
  if (values.padded && values.pair !== undefined && values.pair !== "tiny" && values.pair !== "padded")
    throw new Error("--padded is for the tiny pair only (SmolLM2's draft already costs under a tenth of a target token)");
  const names = values.target ? ["user"] : (values.padded ? "padded" : values.pair ?? DEFAULT_PAIRS).split(",").map(n => n.trim()).filter(Boolean);

  const seed = number("seed", values.seed, 1);
  const count = number("count", values.count, values.quick ? 3 : 8);
  const editCount = number("edit-count", values["edit-count"], count);
  const {tasks, origin} = benchTasks({tasks: values.tasks, editTasks: values["edit-tasks"], heldout: values.heldout ?? false, count, editCount, seed});
  if (values.only && !values.policy?.length) throw new Error("--only runs the --policy columns beside target-only: name at least one --policy");
  const added = (values.policy ?? []).map(parsePolicy);
  const temperatures = (values.temperatures ?? "0,0.7,1,1.5").split(",").map(t => number("temperatures", t, 0));
  const clock = clockChoice(values.clock);
  const lineup = values.only ? [policyColumn({name: "off"}), ...added]
    : [...labColumns({draftModel: !(values.target && !values.draft), llamaCpp: llamaCppAvailable() && !clock ? llamaCppColumns() : []}), ...added];
  const common = {
    tasks, origin, temperatures, seed, threads, gpu: values.gpu === undefined ? "auto" : values.gpu === "off" ? false as const : values.gpu,
    clock, flashAttention: values["flash-attention"] ? true : undefined,
    // A profile charges the engine's passes only: a peer that runs outside them has nothing to charge.
    columns: clock ? lineup.filter(c => c.countsRounds) : lineup,
    repeats: number("repeats", values.repeats, values.quick ? 2 : 3),
    maxTokens: number("max-tokens", values["max-tokens"], values.quick ? 32 : 48),
    stopAtEndOfMiddle: values["stop-at-eog"] ?? false
  };

  if (!llamaCppAvailable() && !clock) console.error("bench: llama.cpp's speculative example is not built; run `npm run build:llamacpp` to add it as a peer");
  const summaries: string[] = [];
  for (const name of names) {
    let pair: ModelPair;
    try {
      // A target alone has the draft "" (no draft model).
      pair = name === "user" ? {target: values.target!, draft: values.draft ?? "", padded: false, name: "user",
        description: values.draft ? "user-supplied pair" : "user-supplied target, no draft model"}
        : name === "padded" ? await namedPair({name: "tiny", padded: true})
          : await namedPair({name, padded: false});
    } catch (error) {
      if (!(error instanceof ModelFetchError) || names.length === 1) throw error;
      console.error(`bench: skipping ${name}: ${error.message}`);
      continue;
    }
    const several = names.length > 1;
    const result = await benchPair(pair, {...common, json: values.json && several ? suffixed(values.json, pair.name) : values.json,
      plots: values.plots && several ? join(values.plots, pair.name) : values.plots});
    summaries.push(summaryLines(pair.name, result));
  }
  if (summaries.length > 1) console.log(`\nSummary (speed-up over target-only, medians; best static K and max-confidence by their own best setting):\n${summaries.join("\n")}`);
}

const DEFAULT_PAIRS = "padded,wide,smollm2";

/** --clock: undefined for the wall clock, else the profile's name or file ("here" included), checked before any model loads. */
function clockChoice(text: string | undefined): string | undefined {
  if (text === undefined || text === "wall") return undefined;
  if (!text.startsWith("profile:")) throw new Error(`--clock: ${JSON.stringify(text)} is neither "wall" nor "profile:NAME" or "profile:FILE"`);
  const spec = text.slice("profile:".length);
  if (spec !== "here") readCostProfile(spec, repoRoot());
  return spec;
}

/**
 * The FIM and editing tasks, interleaved, and where they came from (for the table's heading). A
 * .jsonl given to --tasks gives the tasks of both sets by their "set" field, unless --edit-tasks
 * names folders to cut the editing ones from.
 */
function benchTasks(options: {tasks?: string[]; editTasks?: string[]; heldout: boolean; count: number; editCount: number; seed: number}): {tasks: BenchTask[]; origin: string} {
  const {count, editCount, seed} = options;
  const defaults = options.heldout ? heldOutRoots(join(repoRoot(), "node_modules")) : [join(repoRoot(), "src"), join(repoRoot(), "test")];
  const name = (roots: readonly string[]) => (roots === defaults ? (options.heldout ? "held-out js-yaml, commander, semver" : "this repository") : roots.join(", "));
  const jsonl = options.tasks?.length === 1 && options.tasks[0]!.endsWith(".jsonl") ? tasksFromJsonl(options.tasks[0]!) : undefined;
  const fimRoots = options.tasks ?? defaults;
  const fim = jsonl ? jsonl.filter(t => taskSet(t) === "fim").slice(0, count) : tasksFromSources(fimRoots, {count, seed});
  const editRoots = options.editTasks ?? (jsonl ? undefined : fimRoots);
  let edit: BenchTask[] = [];
  if (editRoots && editCount > 0) {
    edit = editTasksFromSources(editRoots, {count: editCount, seed});
    if (edit.length < editCount) console.error(`bench: ${name(editRoots)} hold only ${edit.length} editing positions; running those`);
  } else if (jsonl) {
    edit = jsonl.filter(t => taskSet(t) === "edit").slice(0, editCount);
  }
  const from = (roots: readonly string[] | undefined) => (roots ? name(roots) : options.tasks![0]!);
  const origin = from(fimRoots) === from(editRoots) || edit.length === 0
    ? `${fim.length} FIM + ${edit.length} editing tasks from ${from(fimRoots)}`
    : `${fim.length} FIM tasks from ${from(fimRoots)} + ${edit.length} editing tasks from ${from(editRoots)}`;
  return {tasks: interleave(fim, edit), origin};
}

interface CommonOptions {
  tasks: BenchTask[];
  /** "3 FIM + 3 editing tasks from this repository" and the like. */
  origin: string;
  temperatures: number[];
  seed: number;
  threads: number;
  gpu: string | false;
  /** true: load with flash attention; absent: the engine's default for the backend. */
  flashAttention?: boolean;
  columns: BenchColumn[];
  /** The cost profile to charge, or "here" (the engine's load-time measurement); absent: the wall clock. */
  clock?: string;
  repeats: number;
  maxTokens: number;
  stopAtEndOfMiddle: boolean;
}

function suffixed(file: string, name: string): string {
  return file.endsWith(".json") ? `${file.slice(0, -5)}-${name}.json` : `${file}-${name}`;
}

async function benchPair(pair: ModelPair, options: CommonOptions & {json?: string; plots?: string}): Promise<BenchResult> {
  const {tasks, temperatures, seed, threads, gpu} = options;
  const engine = await DraftstopEngine.load({targetPath: pair.target, draftPath: pair.draft || undefined, threads, gpu: gpu as never, contextSize: 2048, flashAttention: options.flashAttention});
  try {
    console.error(`models: ${pair.description}\n  target ${pair.target}\n  draft  ${pair.draft || "(none)"}\n` +
      `device ${engine.info.device}, ${engine.info.threads} thread(s) per model; ${options.origin} × ${temperatures.length} temperatures`);
    const profile = options.clock === undefined ? undefined
      : options.clock === "here" ? hereProfile(engine.calibrationSnapshot("greedy").greedyCosts) : readCostProfile(options.clock, repoRoot());
    if (profile) console.error(`clock: every pass charged from the cost profile ${profile.name}`);
    const started = Date.now();
    let lastReport = 0;
    const result = await runBenchmark(engine, {
      tasks, temperatures, seed, columns: options.columns, repeats: options.repeats, maxTokens: options.maxTokens,
      stopAtEndOfMiddle: options.stopAtEndOfMiddle, clock: profile && new ProfileClock(profile),
      onProgress: (done, total, what) => {
        if (Date.now() - lastReport < 5000 && done < total) return;
        lastReport = Date.now();
        console.error(`[${Math.round((Date.now() - started) / 1000)} s] ${done}/${total} ${what}`);
      }
    });
    const elapsed = `${Math.round((Date.now() - started) / 1000)} s`;
    // Under a profile the table is the same from run to run: the wall time goes to stderr.
    if (profile) console.error(`ran in ${elapsed}`);
    const heading = `Draftstop benchmark: ${pair.description}; ${profile ? `cost profile ${profile.name}` : `${engine.info.device}, ${engine.info.threads} thread(s)`}; ` +
      `${options.origin}, ${result.settings.repeats} repeats, ${result.settings.stopAtEndOfMiddle ? "up to " : ""}${result.settings.maxTokens} tokens each${profile ? "" : `; ${elapsed}`}`;
    console.log(benchTable(result, heading));
    if (options.json) {
      writeFileSync(options.json, JSON.stringify(benchJson(result, engine.info, pair.padded), null, 2) + "\n");
      console.error(`wrote ${options.json}`);
    }
    if (options.plots) {
      const files = await writePlots(result, options.plots, pair.padded ? "padded tiny pair" : pair.description);
      console.error(`wrote ${files.join(", ")}`);
    }
    return result;
  } finally {
    await engine.dispose();
  }
}

/**
 * "adaedl:gamma=0.05,alpha=0.5" → the column of {name: "adaedl", params: {gamma: 0.05, alpha: 0.5}},
 * checked by the engine's own policy factory; "static:k=4@lookup/vote" adds {drafter: "lookup",
 * lookupChoice: "vote"}. A parameter takes the type of the policy's default: a number, or true or
 * false where the default is a boolean.
 */
function parsePolicy(text: string): BenchColumn {
  const [spec = "", drafting] = text.split("@");
  const [drafterText, choice] = drafting === undefined ? [] : drafting.split("/");
  if (drafterText !== undefined && !DRAFTER_SETTINGS.includes(drafterText as DrafterSetting))
    throw new Error(`--policy ${text}: drafter "${drafterText}" is not one of ${DRAFTER_SETTINGS.join(", ")}`);
  if (choice !== undefined && choice !== "vote" && choice !== "recent") throw new Error(`--policy ${text}: "/${choice}" is not /vote or /recent`);
  const drafter = drafterText === undefined ? {} : {drafter: drafterText as DrafterSetting, ...(choice ? {lookupChoice: choice as "vote" | "recent"} : {})};
  const [name = "", list = ""] = spec.split(":");
  const defaults = POLICY_NAMES.includes(name as PolicyName) ? POLICY_DEFAULTS[name as PolicyName] : {};
  const params = policyParams(`--policy ${text}`, list, defaults);
  // policyColumn throws the engine's InvalidOptionError naming a bad name or parameter.
  return policyColumn({name, params, ...drafter} as PolicyColumnSpec);
}

main().catch(error => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
