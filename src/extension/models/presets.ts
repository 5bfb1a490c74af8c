// Recommended draft/target pairs: one family, one tokenizer, base (FIM-trained) models. File sizes
// are those of the published GGUF files; the GPU memory figure is both files plus about 0.5 GB for
// two 2K-token contexts and compute buffers (node-llama-cpp's estimate varies with the GPU).
export interface ModelPreset {
  id: string;
  label: string;
  description: string;
  target: {uri: string; sizeGB: number};
  draft: {uri: string; sizeGB: number};
  gpuMemoryGB: number;
}

const QWEN_DRAFT = {uri: "hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF/qwen2.5-coder-0.5b-q8_0.gguf", sizeGB: 0.53};

export const MODEL_PRESETS: readonly ModelPreset[] = [
  {
    id: "qwen2.5-coder-1.5b",
    label: "Qwen2.5-Coder 1.5B + 0.5B draft (Q8_0)",
    description: "fast on any GPU and usable on a CPU",
    target: {uri: "hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf", sizeGB: 1.65},
    draft: QWEN_DRAFT,
    gpuMemoryGB: 2.7
  },
  {
    id: "qwen2.5-coder-3b",
    label: "Qwen2.5-Coder 3B + 0.5B draft (Q8_0)",
    description: "better completions; a GPU with 4 GB or more",
    target: {uri: "hf:ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF/qwen2.5-coder-3b-q8_0.gguf", sizeGB: 3.29},
    draft: QWEN_DRAFT,
    gpuMemoryGB: 4.3
  },
  {
    id: "qwen2.5-coder-7b",
    label: "Qwen2.5-Coder 7B + 0.5B draft (Q8_0)",
    description: "best completions; a GPU with 10 GB or more (speculative decoding pays most here)",
    target: {uri: "hf:ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF/qwen2.5-coder-7b-q8_0.gguf", sizeGB: 8.1},
    draft: QWEN_DRAFT,
    gpuMemoryGB: 9.2
  }
];
