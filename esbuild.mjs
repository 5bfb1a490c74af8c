// Bundles the extension entry, the engine's model process and the command-line entry points.
// node-llama-cpp stays external: it ships native binaries and is ESM, loaded with a dynamic import.
import * as esbuild from "esbuild";
import {existsSync} from "node:fs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const entryPoints = {
  "extension": "src/extension.ts",
  "engineHost": "src/modelProcess/engineHost.ts",
  "cli/demo": "src/lab/cli/demo.ts",
  "cli/bench": "src/lab/cli/bench.ts",
  "cli/passcost": "src/lab/cli/passcost.ts",
  "cli/buildLlamaCpp": "src/lab/cli/buildLlamaCpp.ts",
  "cli/start": "src/lab/cli/start.ts",
  "cli/fetchModels": "src/lab/cli/fetchModels.ts",
  "cli/package": "src/lab/cli/package.ts"
};
for (const [name, file] of Object.entries(entryPoints))
  if (!existsSync(file)) delete entryPoints[name];

const options = {
  entryPoints,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  outdir: "out/dist",
  external: ["vscode", "node-llama-cpp"],
  // vega-canvas's Node build top-level-awaits the optional native "canvas" package, which a CJS
  // bundle cannot hold; its browser build finds no canvas under Node and Vega then measures text
  // without one, which is all headless SVG rendering needs.
  alias: {"vega-canvas": "./node_modules/vega-canvas/build/vega-canvas.browser.js"},
  sourcemap: !production,
  minify: production,
  logLevel: "warning"
};

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
