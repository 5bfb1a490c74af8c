// The model makers' scripts find their own source folder (src/lab/modelmaker/<name>) from wherever
// they were compiled to (out/src/... by tsc, out/dist/... by esbuild), by walking up to the
// repository: the folder with package.json that holds src/lab/modelmaker/<name>/<marker>.
// The GGUF files they make lie in the same repository's media/models/<name>: the product's demo and
// the benchmark read them there, and src/ holds code only.
import {existsSync} from "node:fs";
import {dirname, join, resolve} from "node:path";

export function modelmakerFolder(name: string, marker: string, from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, "src", "lab", "modelmaker", name);
    if (existsSync(join(dir, "package.json")) && existsSync(join(candidate, marker))) return candidate;
    if (dirname(dir) === dir) throw new Error(`src/lab/modelmaker/${name} not found above ${from}`);
  }
}

/** media/models/<name> of the repository that holds src/lab/modelmaker/<name>/<marker>: where that maker's GGUF files lie. */
export function modelFilesFolder(name: string, marker: string, from: string = __dirname): string {
  return join(modelmakerFolder(name, marker, from), "..", "..", "..", "..", "media", "models", name);
}
