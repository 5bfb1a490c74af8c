// A process's memory of model files whose headers passed the checks (ggufPreflight.ts), so that a
// file is read and checked once while it stays the same file: not again by the load that follows a
// window's check, nor by every window of the shared process that asks for the same pair (three
// windows reconnecting after a crash checked the same two files three times over, side by side on
// the cores their models were about to need).
import {stat} from "node:fs/promises";
import {LRUCache} from "lru-cache";
import type {ModelRole} from "./errors";
import {preflightModelFile} from "./ggufPreflight";
import type {GgufFileInfo, Llama} from "./nlc";

/** Checks a process keeps: a few pairs' files is all a machine's windows load. */
const KEPT = 16;
/**
 * Only a file left alone this long is remembered. File times advance in clock ticks of several
 * milliseconds, so a file rewritten in place within one tick (same inode and size, as the header
 * fuzzer does thousands of times) can keep its times; a file last touched before this margin gets
 * later times from any change.
 */
const SETTLED_MS = 2000;
const passed = new LRUCache<string, Promise<GgufFileInfo>>({max: KEPT});

/**
 * preflightModelFile's verdict on `path`, from memory when this process has checked the same file
 * before (same device, inode, size and modification and change times, role and backend) and it
 * had been left alone SETTLED_MS by then. A file that fails is checked afresh every time, so its
 * message always says what is wrong with it now.
 */
export async function checkedHeader(path: string, role: ModelRole, llama: Llama): Promise<GgufFileInfo> {
  const started = Date.now();
  let facts;
  try {
    facts = await stat(path, {bigint: true});
  } catch {
    return preflightModelFile(path, role, llama); // it names what is wrong with the path
  }
  const lastChangeMs = Number((facts.mtimeNs > facts.ctimeNs ? facts.mtimeNs : facts.ctimeNs) / 1_000_000n);
  if (started - lastChangeMs < SETTLED_MS) return preflightModelFile(path, role, llama);
  const identity = JSON.stringify([path, role, String(llama.gpu), String(facts.dev), String(facts.ino), String(facts.size),
    String(facts.mtimeNs), String(facts.ctimeNs)]);
  const known = passed.get(identity);
  if (known) return known;
  const checking = preflightModelFile(path, role, llama);
  passed.set(identity, checking);
  checking.catch(() => {
    if (passed.get(identity) === checking) passed.delete(identity);
  });
  return checking;
}
