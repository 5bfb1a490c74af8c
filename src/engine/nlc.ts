// node-llama-cpp is ESM with native binaries; the rest of Draftstop is CommonJS, so it is loaded
// once with a dynamic import and its types are imported in "import" resolution mode.
import type * as NodeLlamaCpp from "node-llama-cpp" with {"resolution-mode": "import"};

export type {
  Llama, LlamaModel, LlamaContext, LlamaContextSequence, Token, GgufFileInfo, ControlledEvaluateInputItem,
  ControlledEvaluateIndexOutput
} from "node-llama-cpp" with {"resolution-mode": "import"};

export type NodeLlamaCppModule = typeof NodeLlamaCpp;

let loading: Promise<NodeLlamaCppModule> | undefined;

export function loadNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  loading ??= import("node-llama-cpp");
  return loading;
}
