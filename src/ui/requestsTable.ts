// The statistics panel's "Requests" block: how every request of this session ended, one row per
// reason (zeros too, so nothing that could happen is hidden), as HTML.
import type {ReasonCount} from "../completion/requestOutcomes";

export function requestsTableHtml(counts: readonly ReasonCount[]): string {
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  if (total === 0) return `<p class="empty">No completion requests yet.</p>`;
  const rows = counts.map(c => `<tr data-reason="${c.reason}"${c.count === 0 ? ` class="zero"` : ""}><td>${escapeHtml(c.label)}</td>` +
    `<td class="count">${c.count}</td></tr>`).join("");
  return `<table class="requests"><thead><tr><th>how the request ended</th><th>requests</th></tr></thead>
<tbody>${rows}</tbody><tfoot><tr><td>all</td><td class="count">${total}</td></tr></tfoot></table>
<p class="note">Every request ends with one of these reasons; <b>Draftstop: Show Log</b> has a line for each.</p>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c]!);
}
