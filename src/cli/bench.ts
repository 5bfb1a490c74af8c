// npm run bench [-- options]: every draft-length policy side by side on the same tasks and models.
import {writeFileSync} from "node:fs";
import {join} from "node:path";
import {parseArgs} from "node:util";
import {writePlots} from "../bench/plots";
import {benchJson, benchTable} from "../bench/report";
import {BenchPolicy, defaultPolicies, runBenchmark} from "../bench/runner";
import {BenchTask, tasksFromJsonl, tasksFromSources} from "../bench/tasks";
import {createPolicy, DraftstopEngine, PolicyName, PolicySpec} from "../engine";
import {repoRoot} from "./repoRoot";
import {namedPair} from "./pairs";

const USAGE = `usage: npm run bench -- [options]
  --pair P            smollm2 (default: SmolLM2-135M and its draft; the tiny pair where pip cannot fetch it) or tiny
  --padded            tiny pair with the padded target (one target token ≈ 15× a draft token)
  --target F --draft F  any GGUF pair of one family instead
  --quick             fewer tasks and repeats (under 5 minutes on 2 cores), same output schema
  --tasks DIR|FILE    source folder(s) to cut FIM positions from, or a .jsonl of {prefix, suffix}
                      (default: this repository's src/ and test/)
  --count N           tasks (default 8, quick 3)       --repeats N   (default 3, quick 2)
  --temperatures L    comma-separated (default 0,0.7,1,1.5)
  --max-tokens N      tokens per completion (default 48, quick 32)
  --stop-at-eog       end a completion at the model's end-of-middle token (default: always
                      decode --max-tokens tokens, so every policy decodes the same amount)
  --threads N         threads per model (default 1; on 2 cores, 2 threads measured several times slower)
  --gpu G             auto | cuda | metal | vulkan | off (default auto)
  --policy SPEC       add a policy to the line-up, e.g. adaedl:gamma=0.05,alpha=0.5 or static:k=12 (repeatable)
  --json FILE         write the results as JSON
  --plots DIR         write SVG plots
  --seed N            task and sampling seed (default 1)`;

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    pair: {type: "string"}, padded: {type: "boolean", default: false}, quick: {type: "boolean", default: false},
    target: {type: "string"}, draft: {type: "string"}, tasks: {type: "string", multiple: true},
    count: {type: "string"}, repeats: {type: "string"}, temperatures: {type: "string"}, "max-tokens": {type: "string"},
    threads: {type: "string"}, gpu: {type: "string"}, json: {type: "string"}, plots: {type: "string"}, seed: {type: "string"},
    policy: {type: "string", multiple: true}, "stop-at-eog": {type: "boolean", default: false},
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
  if ((values.target === undefined) !== (values.draft === undefined)) throw new Error("--target and --draft go together");
  if (values.padded && values.pair !== undefined && values.pair !== "tiny") throw new Error("--padded is for the tiny pair only (SmolLM2's draft already costs under a tenth of a target token)");
  const pair = values.target
    ? {target: values.target, draft: values.draft!, padded: false, description: "user-supplied pair"}
    : await namedPair({name: values.pair ?? (values.padded ? "tiny" : undefined), padded: values.padded});

  const seed = number("seed", values.seed, 1);
  const count = number("count", values.count, values.quick ? 3 : 8);
  const sources = values.tasks ?? [join(repoRoot(), "src"), join(repoRoot(), "test")];
  const tasks: BenchTask[] = sources.length === 1 && sources[0]!.endsWith(".jsonl")
    ? tasksFromJsonl(sources[0]!).slice(0, count)
    : tasksFromSources(sources, {count, seed});
  const temperatures = (values.temperatures ?? "0,0.7,1,1.5").split(",").map(t => number("temperatures", t, 0));

  const gpu = values.gpu === undefined ? "auto" : values.gpu === "off" ? false : values.gpu;
  const engine = await DraftstopEngine.load({targetPath: pair.target, draftPath: pair.draft, threads, gpu: gpu as never, contextSize: 2048});
  try {
    console.error(`models: ${pair.description}\n  target ${pair.target}\n  draft  ${pair.draft}\n` +
      `device ${engine.info.device}, ${engine.info.threads} thread(s) per model; ${tasks.length} tasks × ${temperatures.length} temperatures`);
    const started = Date.now();
    let lastReport = 0;
    const result = await runBenchmark(engine, {
      tasks, temperatures, seed, policies: [...defaultPolicies(), ...(values.policy ?? []).map(parsePolicy)],
      repeats: number("repeats", values.repeats, values.quick ? 2 : 3),
      maxTokens: number("max-tokens", values["max-tokens"], values.quick ? 32 : 48),
      stopAtEndOfMiddle: values["stop-at-eog"],
      onProgress: (done, total, what) => {
        if (Date.now() - lastReport < 5000 && done < total) return;
        lastReport = Date.now();
        console.error(`[${Math.round((Date.now() - started) / 1000)} s] ${done}/${total} ${what}`);
      }
    });
    const heading = `Draftstop benchmark: ${pair.description}; ${engine.info.device}, ${engine.info.threads} thread(s); ` +
      `${tasks.length} tasks, ${result.settings.repeats} repeats, ${result.settings.stopAtEndOfMiddle ? "up to " : ""}${result.settings.maxTokens} tokens each; ${Math.round((Date.now() - started) / 1000)} s`;
    console.log(benchTable(result, heading));
    if (values.json) {
      writeFileSync(values.json, JSON.stringify(benchJson(result, engine.info, pair.padded), null, 2) + "\n");
      console.error(`wrote ${values.json}`);
    }
    if (values.plots) {
      const files = await writePlots(result, values.plots, pair.padded ? "padded tiny pair" : pair.description);
      console.error(`wrote ${files.join(", ")}`);
    }
  } finally {
    await engine.dispose();
  }
}

/** "adaedl:gamma=0.05,alpha=0.5" → {name: "adaedl", params: {gamma: 0.05, alpha: 0.5}}, checked by the engine's own policy factory. */
function parsePolicy(text: string): BenchPolicy {
  const [name, list = ""] = text.split(":");
  const params: Record<string, number> = {};
  for (const pair of list.split(",").filter(Boolean)) {
    const [key, value] = pair.split("=");
    if (!key || value === undefined || !Number.isFinite(Number(value))) throw new Error(`--policy ${text}: "${pair}" is not key=number`);
    params[key] = Number(value);
  }
  createPolicy({name, ...params} as PolicySpec); // throws InvalidOptionError naming a bad name or parameter
  return {name: name as PolicyName, params};
}

main().catch(error => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
