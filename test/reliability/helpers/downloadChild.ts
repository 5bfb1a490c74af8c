// Child-process entry for download tests that need another mount or network namespace:
// `node downloadChild.js DIR URI...` downloads every URI into DIR at once with downloadModel and
// prints one JSON line of outcomes. It installs no error handlers of its own, so anything that
// escapes downloadModel (an unhandled rejection) ends it with a non-zero exit code.
import {downloadModel} from "../../../src/host/download";

export interface ChildOutcome {
  uri: string;
  ms: number;
  path?: string;
  error?: {name: string; code?: string; message: string};
}

async function main(): Promise<void> {
  const [directory, ...uris] = process.argv.slice(2);
  if (!directory || uris.length === 0) throw new Error("usage: downloadChild DIR URI...");
  const outcomes = await Promise.all(uris.map(async (uri): Promise<ChildOutcome> => {
    const started = Date.now();
    try {
      const {path} = await downloadModel(uri, directory, new AbortController().signal, () => {});
      return {uri, ms: Date.now() - started, path};
    } catch (e) {
      const error = e as {name: string; code?: string; message: string};
      return {uri, ms: Date.now() - started, error: {name: error.name, code: error.code, message: error.message}};
    }
  }));
  process.stdout.write(JSON.stringify(outcomes) + "\n");
}

void main().then(() => process.exit(0)); // exit at once: the downloader may keep sockets open
