// Draftstop's layers, checked by dependency-cruiser in `npm test` (npm run check:layers) and
// described in docs/architecture.md. An arrow means "may import":
//
//   engine ← bench, charts, config ← host ← session ← models, completion ← ui ← extension.ts
//
// src/lab holds the tools that are no part of the extension (command-line entry points, the
// benchmark's lab-only parts, the GPU kit, the model makers): the lab may import the product,
// nothing in the product imports the lab. Nothing in src imports test, and the layers below the UI
// never import vscode, so they run under plain Node (mocha) and in the model process.

/** Each folder of src (a path below src/) and the folders it may import besides itself. */
const LAYERS = {
  engine: [],
  charts: ["engine"],
  bench: ["engine", "charts"],
  config: ["engine"],
  host: ["engine", "bench"],
  session: ["engine", "host"],
  models: ["engine", "config", "host", "session"],
  completion: ["engine", "config", "session"],
  ui: ["engine", "bench", "charts", "config", "host", "session", "models", "completion"],
  "lab/modelmaker": ["engine"],
  "lab/bench": ["engine", "bench", "charts"],
  "lab/cli": ["engine", "bench", "charts", "config", "host", "models", "lab/bench", "lab/modelmaker"],
  "lab/gpu": ["lab/cli", "lab/modelmaker"]
};

/** The entry point of the extension: it may import everything but the lab, and nothing imports it. */
const ENTRY = "^src/extension\\.ts$";

/**
 * Code that must run without VS Code, not even through what it imports: everything but the UI, the
 * settings store, the provider, the model manager and the entry point.
 */
const PLAIN_NODE = "^src/((engine|charts|bench|host|session|lab)/|config/(?!settings\\.ts$))";

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer} may import only ${allowed.length ? allowed.map(a => `src/${a}`).join(", ") : "itself"} (.dependency-cruiser.cjs, LAYERS)`,
  severity: "error",
  from: {path: `^src/${layer}/`},
  to: {path: "^src/", pathNot: [`^src/${layer}/`, ...allowed.map(a => `^src/${a}/`)]}
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "every-file-in-a-layer",
      comment: "every file of src lies in a folder of LAYERS (or is the entry point), so that some rule says what it may import",
      severity: "error",
      from: {path: "^src/", pathNot: [ENTRY, ...Object.keys(LAYERS).map(layer => `^src/${layer}/`)]},
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
      name: "no-circular",
      comment: "a cycle makes the order of the layers meaningless",
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
