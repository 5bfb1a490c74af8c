// The statistics panel's live section as a standalone page: the charts the panel would post to its
// webview (src/extension/charts/sessionCharts.ts through src/extension/ui/sessionChartData.ts, rendered by
// src/extension/charts/render.ts with the panel's theme), styled by the panel's own stylesheet, and a PNG of it
// taken in headless Chromium. Both go to test-results/.
import {mkdtemp, readFile, rm, writeFile, mkdir} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {chartsHtml} from "../../src/extension/charts/chartsHtml";
import type {PanelChart} from "../../src/extension/charts/panelChart";
import {PANEL_THEME} from "../../src/extension/charts/render";
import {repoRoot} from "../../src/lab/cli/repoRoot";
import {launchChromium} from "./browser";

export const RESULTS = join(repoRoot(), "test-results");

/** Writes test-results/<name>.html and <name>.png; returns the HTML and the PNG's path. */
export async function writePanelPage(name: string, charts: readonly PanelChart[]): Promise<{html: string; png: string}> {
  const css = await readFile(join(repoRoot(), "media", "statsPanel.css"), "utf8");
  const live = await chartsHtml(charts, PANEL_THEME);
  // VS Code's light theme colours, which the webview would define.
  const vars = "--vscode-foreground:#3b3b3b;--vscode-editor-background:#ffffff;--vscode-descriptionForeground:#717171;--vscode-panel-border:#e5e5e5;" +
    "--vscode-textLink-foreground:#005fb8;--vscode-font-family:sans-serif;--vscode-font-size:13px";
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><style>:root{${vars}}\n${css}</style><title>${name}</title></head>
<body><h2>This session</h2><section id="live" class="charts">${live}</section></body></html>`;
  await mkdir(RESULTS, {recursive: true});
  await writeFile(join(RESULTS, `${name}.html`), html);
  const png = join(RESULTS, `${name}.png`);
  const profile = await mkdtemp(join(tmpdir(), "draftstop-panel-"));
  const browser = await launchChromium({userDataDir: profile, viewport: {width: 1000, height: 800}});
  try {
    const page = browser.pages()[0] ?? await browser.newPage();
    await page.setContent(html);
    await page.screenshot({path: png, fullPage: true});
  } finally {
    await browser.close();
    await rm(profile, {recursive: true, force: true});
  }
  return {html, png};
}
