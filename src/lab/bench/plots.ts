// The benchmark's SVG plots (speed-up, acceptance vs entropy, draft lengths, λ).
import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {acceptanceChart, draftLengthChart, lambdaChart, speedupChart} from "../../extension/charts/specs";
import {FILE_THEME, renderSvg} from "../../extension/charts/render";
import {ADAEDL_DEFAULTS} from "../../engine/drafting/policies";
import type {BenchResult} from "../../benchmark/runner";

/** Writes speedup.svg, acceptance-entropy.svg, draft-lengths.svg and lambda.svg into `directory`. */
export async function writePlots(result: BenchResult, directory: string, subtitle: string): Promise<string[]> {
  mkdirSync(directory, {recursive: true});
  const firstTemperature = result.settings.temperatures[0] ?? 0;
  const charts: Array<[string, Parameters<typeof renderSvg>[0]]> = [
    ["speedup.svg", speedupChart(result.runs.map(r => ({label: r.label, temperature: r.temperature, speedup: r.speedup, min: r.spread.min, max: r.spread.max})),
      `Speed-up over target-only decoding (${subtitle})`)],
    ["acceptance-entropy.svg", acceptanceChart(result.entropyBins, ADAEDL_DEFAULTS.gamma, `Acceptance vs draft entropy, bound 1 − sqrt(${ADAEDL_DEFAULTS.gamma}·H) dashed`)],
    ["draft-lengths.svg", draftLengthChart(result.draftLengths.filter(d => d.temperature === firstTemperature),
      `Draft lengths at T = ${firstTemperature} (share of rounds)`)],
    ["lambda.svg", lambdaChart(result.lambdaTraces.map(t => ({series: `T = ${t.temperature}`, lambda: t.lambda})))]
  ];
  const written: string[] = [];
  for (const [name, spec] of charts) {
    const path = join(directory, name);
    writeFileSync(path, await renderSvg(spec, FILE_THEME));
    written.push(path);
  }
  return written;
}
