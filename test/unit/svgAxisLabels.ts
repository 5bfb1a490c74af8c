// Reads what a rendered Vega SVG prints on its axes: the tick labels of the axis with a given title
// (Vega names each axis in its aria-label, "X-axis titled '…'").
export function axisTickLabels(svg: string, axis: "X" | "Y", title: string): string[] {
  const start = svg.indexOf(`aria-label="${axis}-axis titled '${title}'`);
  if (start < 0) throw new Error(`no ${axis} axis titled "${title}" in the SVG`);
  const labels = svg.indexOf(`role-axis-label`, start);
  const end = svg.indexOf("</g>", labels);
  return [...svg.slice(labels, end).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1]!);
}

/** Every text the SVG prints. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => m[1]!);
}
