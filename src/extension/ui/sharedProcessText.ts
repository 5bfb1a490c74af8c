// The statistics panel's line on the model process as a whole: with sharing, how many windows it
// serves, which models each holds, and every window's completions added up beside this window's.
import {basename} from "node:path";
import {formatBytes} from "../../engine/formatBytes";
import type {ProcessResources} from "../../protocol";

/** One sentence in plain text (the panel escapes it); "" when the resources are unknown. */
export function sharedProcessText(resources: ProcessResources | undefined): string {
  if (!resources) return "";
  const shared = resources.shared;
  if (!shared) return `This window's own model process (pid ${resources.pid}), ${formatBytes(resources.rssBytes)} resident.`;
  const windows = (n: number) => `${n} window${n === 1 ? "" : "s"}`;
  const pairs = shared.pairs.map(pair =>
    `${basename(pair.targetPath)}${pair.draftPath ? ` with ${basename(pair.draftPath)}` : ""} (${formatBytes(pair.bytes)}, ${windows(pair.holders.length)})`);
  return `The shared model process (pid ${resources.pid}, ${formatBytes(resources.rssBytes)} resident) serves ${windows(shared.windows)} ` +
    `of this machine: ${shared.completions} completions and ${shared.tokens} tokens in all; models loaded: ${pairs.join("; ") || "none"}` +
    `${shared.queuedGenerations > 0 ? `; ${shared.queuedGenerations} generations waiting or running` : ""}.`;
}
