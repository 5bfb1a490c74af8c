// Draftstop's layers, checked by dependency-cruiser in `npm test` (npm run check:layers) and
// described in docs/architecture.md. The folders say which process a file runs in:
//
//   src/extension.ts, src/extension/   the extension host: ui, completion, models, settings, the
//                                      session and its client of the model process, the panel's charts
//   src/modelProcess/                  the forked model process: its main (engineHost.ts), downloads
//   src/protocol.ts                    the typed messages between the two
//   src/transport/                     how they travel: framing, channels (IPC, a Unix socket), the shared
//                                      process's private directory, token and start lock (both sides)
//   src/engine/, src/benchmark/        libraries that run wherever they are imported (the model
//                                      process, the command line; the extension host takes types,
//                                      options and small helpers from them)
//   src/lab/                           never bundled into the extension: command-line entry points,
//                                      the benchmark's lab-only parts, the GPU kit, the model makers
//
// An arrow means "may import":
//
//   engine ← benchmark ← protocol.ts ← modelProcess
//   engine ← transport ← modelProcess, extension/session
//   engine, protocol.ts ← extension/session ← extension/models, extension/completion ← extension/ui ← extension.ts
//   engine ← extension/settings, extension/charts (also below models, completion and ui)
//   lab: may import the product; nothing in the product imports the lab.
//
// The extension and the model process never import each other: the extension forks the bundled
// engineHost.js and talks to it through protocol.ts. Nothing in src imports test, and everything
// but the editor-facing parts never imports vscode, so it runs under plain Node (mocha, the model
// process, the command line).

/** Each folder (or file, "name.ts") of src and what it may import besides itself. */
const LAYERS = {
  engine: [],
  benchmark: ["engine"],
  "protocol.ts": ["engine", "benchmark"],
  transport: ["engine"],
  modelProcess: ["engine", "benchmark", "protocol.ts", "transport"],
  "extension/charts": ["engine"],
  "extension/settings": ["engine"],
  "extension/session": ["engine", "protocol.ts", "transport"],
  "extension/models": ["engine", "extension/settings", "extension/session"],
  "extension/completion": ["engine", "extension/settings", "extension/session"],
  "extension/ui": ["engine", "benchmark", "protocol.ts", "extension/charts", "extension/settings", "extension/session",
    "extension/models", "extension/completion"],
  "lab/modelmaker": ["engine"],
  "lab/bench": ["engine", "benchmark", "extension/charts", "extension/completion", "lab/modelmaker"],
  "lab/cli": ["engine", "benchmark", "protocol.ts", "transport", "modelProcess", "extension/charts", "extension/settings", "extension/models", "extension/completion",
    "lab/bench", "lab/modelmaker"],
  "lab/gpu": ["lab/cli", "lab/modelmaker"]
};

/** The path pattern of a LAYERS name: a folder and everything in it, or one file. */
const pathOf = name => name.endsWith(".ts") ? `^src/${name.replace(/\./g, "\\.")}$` : `^src/${name}/`;

/** The entry point of the extension: it may import everything but the lab, and nothing imports it. */
const ENTRY = "^src/extension\\.ts$";

/**
 * Code that must run without VS Code, not even through what it imports: everything but the UI, the
 * settings store, the completion provider and its workspace reader, the model manager and the entry point.
 */
const PLAIN_NODE = "^src/((engine|transport|benchmark|modelProcess|lab|extension/(charts|session))/|protocol\\.ts$|extension/settings/(?!settings\\.ts$))";

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only ${allowed.length ? allowed.map(a => `src/${a}`).join(", ") : "itself"} (.dependency-cruiser.cjs, LAYERS)`,
  severity: "error",
  from: {path: pathOf(layer)},
  to: {path: "^src/", pathNot: [pathOf(layer), ...allowed.map(pathOf)]}
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "every-file-in-a-layer",
      comment: "every file of src lies in a folder of LAYERS (or is the entry point), so that some rule says what it may import",
      severity: "error",
      from: {path: "^src/", pathNot: [ENTRY, ...Object.keys(LAYERS).map(pathOf)]},
      to: {}
    },
    {
      name: "product-never-imports-lab",
      comment: "src/lab (command-line tools, benchmark peers, GPU kit, model makers) is never bundled into the extension: the lab may import the product, never the reverse",
      severity: "error",
      from: {path: "^src/", pathNot: "^src/lab/"},
      to: {path: "^src/lab/"}
    },
    {
      name: "src-never-imports-test",
      comment: "product code must not depend on tests or their fixtures",
      severity: "error",
      from: {path: "^src/"},
      to: {path: "^test/"}
    },
    {
      name: "only-the-extension-entry-imports-top-level",
      comment: "src/extension.ts is the top: nothing imports it",
      severity: "error",
      from: {},
      to: {path: ENTRY}
    },
    {
      name: "plain-node-never-imports-vscode",
      comment: "these layers run under plain Node (mocha, the model process, the command line), so nothing they import may need vscode",
      severity: "error",
      from: {path: PLAIN_NODE},
      to: {path: "^vscode$", reachable: true}
    },
    {
      name: "no-circular-folders",
      comment: "no two folders import each other, not even through others: the engine's decoding, drafting, prompt and stats folders (and every other folder of src) form a tree of uses, not a circle",
      severity: "error",
      scope: "folder",
      from: {path: "^src/"},
      to: {circular: true}
    },
    {
      name: "no-circular",
      comment: "a cycle makes the order of the layers meaningless (all of src: the product, the lab and its GPU kit)",
      severity: "error",
      from: {path: "^src/"},
      to: {circular: true}
    }
  ],
  options: {
    doNotFollow: {path: "node_modules"},
    exclude: {path: "^(out|node_modules)/"},
    tsConfig: {fileName: "tsconfig.json"},
    tsPreCompilationDeps: true,
    // "vscode" is provided by the editor at run time (only its types are installed).
    externalModuleResolutionStrategy: "node_modules",
    enhancedResolveOptions: {extensions: [".ts", ".js", ".json"]}
  }
};
