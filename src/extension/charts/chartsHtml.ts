// Panel charts as HTML: each chart rendered to SVG, each note as a titled line of text in the
// chart's place (the panel's stylesheet gives both the same frame).
import {ChartTheme, renderSvg} from "./render";
import type {PanelChart} from "./panelChart";

export async function chartsHtml(charts: readonly PanelChart[], theme: ChartTheme): Promise<string> {
  const parts = await Promise.all(charts.map(async c => c.kind === "chart"
    ? `<div class="chart">${await renderSvg(c.spec, theme)}</div>`
    : `<div class="chart chart-note"><h3>${escapeHtml(c.title)}</h3><p class="empty">${escapeHtml(c.text)}</p></div>`));
  return parts.join("");
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"})[c]!);
}
