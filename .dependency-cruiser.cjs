// Draftstop's layers, checked by dependency-cruiser in `npm test` (npm run check:layers) and
// described in docs/architecture.md. An arrow means "may import":
//
//   engine ← bench, charts, config ← host ← session ← models, completion ← ui ← extension.ts
//
// cli (entry points) and modelmaker (the code that makes the tiny pair and padded targets) are
// tools on top that no product code imports. Nothing in src imports test, and the layers below
// the UI never import vscode, so they run under plain Node (mocha) and in the model process.

/** Each folder of src and the folders it may import besides itself. */
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
  modelmaker: ["engine"],
  cli: ["engine", "bench", "charts", "config", "host", "models", "modelmaker"]
};

/**
 * Code that must run without VS Code, not even through what it imports: everything but the UI, the
 * settings store, the provider, the model manager and the entry point.
 */
const PLAIN_NODE = "^src/((engine|charts|bench|host|session|modelmaker|cli)/|config/(?!settings\\.ts$))";

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
      to: {path: "^src/extension\\.ts$"}
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
