// Child-process driver for the offline test: everything a user does short of downloading a model,
// through the real model process. `node offlineDriver.js [--download URL]`: creates the Markov
// pair, forks the model process (EngineClient), loads the pair, runs FIM completions, reads the
// stats, runs a small benchmark over two .ts files and, with --download, also asks the model
// process for a download. Prints one JSON line (DriverReport) and exits 0 when all that ran.
import {mkdtempSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {EngineClient} from "../../../src/extension/session/engineClient";
import {makeMarkovPair} from "../../engine/helpers/markovPair";

export interface DriverReport {
  driverPid: number;
  hostPid: number;
  completions: string[];
  statsTokens: number;
  benchmarkRuns: number;
  download?: {ok: boolean; code?: string; message?: string; ms: number};
}

const HOST_SCRIPT = join(__dirname, "..", "..", "..", "src", "modelProcess", "engineHost.js");
const PROMPTS = [
  {prefix: "function add(a, b) {\n  return ", suffix: "\n}\n"},
  {prefix: "const xs = [1, 2, 3].map(", suffix: ");\n"},
  {prefix: "abc", suffix: "dd"}
];

async function main(): Promise<void> {
  const downloadUrl = process.argv[process.argv.indexOf("--download") + 1];
  const wantsDownload = process.argv.includes("--download");
  const pair = makeMarkovPair({seed: 3, cycleBoost: 0.3});
  const work = mkdtempSync(join(tmpdir(), "draftstop-offline-"));
  writeFileSync(join(work, "a.ts"), "export function add(a: number, b: number): number {\n  return a + b;\n}\n");
  writeFileSync(join(work, "b.ts"), "export const squares = [1, 2, 3, 4].map(x => x * x);\nexport const total = squares.reduce((a, b) => a + b, 0);\n");
  const client = new EngineClient({hostScript: HOST_SCRIPT});
  try {
    await client.load({targetPath: pair.targetPath, draftPath: pair.draftPath, threads: 1, contextSize: 512});
    const completions: string[] = [];
    for (const fim of PROMPTS) {
      const summary = await client.api.generate({prompt: {fim}, options: {maxTokens: 12, stopOnEog: false}});
      completions.push(summary.text);
    }
    const stats = await client.api.stats();
    const benchmark = await client.api.benchmark({roots: [work], count: 2, repeats: 1, temperatures: [0], maxTokens: 8, topK: 40, topP: 0.95});
    const report: DriverReport = {driverPid: process.pid, hostPid: client.pid!, completions, statsTokens: stats?.summary.tokens ?? 0,
      benchmarkRuns: benchmark.runs.length};
    if (wantsDownload) {
      const started = Date.now(); // a figure for the report
      try {
        await client.api.download({uri: downloadUrl!, directory: join(work, "models")});
        report.download = {ok: true, ms: Date.now() - started}; // ms: a figure for the report
      } catch (e) {
        const error = e as {code?: string; message: string};
        report.download = {ok: false, code: error.code, message: error.message, ms: Date.now() - started}; // ms: a figure
      }
    }
    process.stdout.write(JSON.stringify(report) + "\n");
  } finally {
    await client.dispose();
    pair.cleanup();
    rmSync(work, {recursive: true, force: true});
  }
}

main().then(() => process.exit(0), error => {
  process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
