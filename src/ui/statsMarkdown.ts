// The session statistics as Markdown (pure, for the stats view and tests).
import type {SessionSnapshot} from "../session/engineSession";

export function statsMarkdown(snapshot: SessionSnapshot): string {
  const {info, stats, policy} = snapshot;
  const lines = ["# Draftstop statistics", ""];
  if (!info) return [...lines, "No models are loaded."].join("\n");
  lines.push(`- Target: **${info.target.name}** (${info.target.path})`);
  lines.push(`- Draft: ${info.draft ? `**${info.draft.name}** (${info.draft.path})` : "none"}`);
  lines.push(`- Device: ${info.device}, ${info.threads} thread(s) per model, context ${info.contextSize}`);
  if (policy) lines.push(`- Policy: ${policy.name}${policy.state.lambda !== undefined ? `, λ = ${policy.state.lambda.toFixed(3)}` : ""}`);
  if (snapshot.fimLayout) lines.push(`- FIM layout: ${snapshot.fimLayout}${snapshot.fimCosts ? ` (${snapshot.fimCosts})` : ""}`);
  lines.push("");
  if (!stats || stats.tokens === 0) return [...lines, "No completions yet."].join("\n");
  const rows: Array<[string, string]> = [
    ["Completions", String(stats.generations)],
    ["Tokens", String(stats.tokens)],
    ["Tokens per second", stats.tokensPerSecond.toFixed(1)],
    ["Estimated speed-up", Number.isFinite(stats.estimatedSpeedup) ? `${stats.estimatedSpeedup.toFixed(2)}×` : "not measured yet"],
    ["Acceptance rate", `${(stats.acceptanceRate * 100).toFixed(1)} %`],
    ["Mean draft length", stats.meanDraftLength.toFixed(2)],
    ["Tokens per round", stats.tokensPerRound.toFixed(2)],
    ["Target passes per token", stats.targetPassesPerToken.toFixed(3)],
    ["Draft passes per token", stats.draftPassesPerToken.toFixed(3)],
    ["Single-token target latency", `${stats.targetTokenMs.toFixed(2)} ms`],
    ["Time drafting / verifying / entropy", `${stats.draftMs.toFixed(0)} / ${stats.verifyMs.toFixed(0)} / ${stats.entropyMs.toFixed(1)} ms`]
  ];
  lines.push("| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`), "",
    "The speed-up estimate divides the time target-only decoding would take (tokens × the measured single-token target latency) " +
    "by the time speculative decoding took.");
  return lines.join("\n");
}
