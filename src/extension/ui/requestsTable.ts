// The statistics panel's "Requests" block: how every request of this session ended, one row per
// reason (zeros too, so nothing that could happen is hidden), as HTML.
import type {ExtraContextTotals, ReasonCount} from "../completion/requestOutcomes";

export function requestsTableHtml(counts: readonly ReasonCount[]): string {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return `<p class="empty">No completion requests yet.</p>`;
  // A column for the requests asked beside the suggest widget, once there are any.
  const widget = counts.reduce((sum, c) => sum + c.withSuggestWidget, 0);
  const widgetCell = (n: number) => (widget > 0 ? `<td class="count">${n}</td>` : "");
  const rows = counts.map(c => `<tr data-reason="${c.reason}"${c.count === 0 ? ` class="zero"` : ""}><td>${escapeHtml(c.label)}</td>` +
    `<td class="count">${c.count}</td>${widgetCell(c.withSuggestWidget)}</tr>`).join("");
  return `<table class="requests"><thead><tr><th>how the request ended</th><th>requests</th>${widget > 0 ? "<th>with the suggest widget</th>" : ""}</tr></thead>
<tbody>${rows}</tbody><tfoot><tr><td>all</td><td class="count">${total}</td>${widgetCell(widget)}</tr></tfoot></table>
<p class="note">Every request ends with one of these reasons; <b>Draftstop: Show Log</b> has a line for each.</p>`;
}

/** One paragraph on what extra context (chunks of other files) cost in prefill, and how often the KV cache held it. */
export function extraContextHtml(totals: ExtraContextTotals, enabled: boolean): string {
  if (!enabled) return `<p class="note" id="extra-context">Extra context is off (<code>draftstop.extraContext.enable</code>).</p>`;
  if (totals.requests === 0) return `<p class="note" id="extra-context">No completion has had extra context yet: open, edit or copy from another file of the workspace.</p>`;
  const share = Math.round(100 * totals.reused / totals.requests);
  return `<p class="note" id="extra-context"><b>Extra context:</b> ${totals.requests} completion${totals.requests === 1 ? "" : "s"} carried chunks of other files, ` +
    `${Math.round(totals.tokens / totals.requests)} tokens on average; ${totals.reused} (${share} %) found them all in the KV cache. ` +
    `${totals.evaluated} tokens evaluated for it, about ${Math.round(totals.prefillMs)} ms of prefill in all.</p>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c]!);
}
