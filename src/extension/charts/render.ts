// Renders Vega-Lite specifications to SVG with Vega's headless view: no browser, no canvas, and no
// script in the webview (the stats panel shows the SVG under a strict Content-Security-Policy).
import type {TopLevelSpec} from "vega-lite" with {"resolution-mode": "import"};

export interface ChartTheme {
  /** Text, axes and legends; "currentColor" follows the surrounding CSS colour (VS Code's theme in the panel). */
  foreground: string;
  background: string | null;
  grid: string;
}

export const FILE_THEME: ChartTheme = {foreground: "#333333", background: "#ffffff", grid: "#e5e5e5"};
export const PANEL_THEME: ChartTheme = {foreground: "currentColor", background: null, grid: "rgba(128,128,128,0.25)"};

let modules: Promise<[typeof import("vega", {with: {"resolution-mode": "import"}}), typeof import("vega-lite", {with: {"resolution-mode": "import"}})]> | undefined;

export async function renderSvg(spec: TopLevelSpec, theme: ChartTheme = FILE_THEME): Promise<string> {
  modules ??= Promise.all([import("vega"), import("vega-lite")]);
  const [vega, vegaLite] = await modules;
  const themed = {
    ...spec,
    background: theme.background ?? "transparent",
    config: {
      font: "sans-serif",
      title: {color: theme.foreground, fontSize: 13},
      axis: {labelColor: theme.foreground, titleColor: theme.foreground, domainColor: theme.foreground, tickColor: theme.foreground, gridColor: theme.grid},
      legend: {labelColor: theme.foreground, titleColor: theme.foreground},
      header: {labelColor: theme.foreground, titleColor: theme.foreground},
      view: {stroke: theme.grid}
    }
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(vegaLite.compile(themed).spec), {renderer: "none"});
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
