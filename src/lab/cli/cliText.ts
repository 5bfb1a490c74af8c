// What the lab's measuring commands share in how they read options and print results.

/** A whole-number option `--name` of at least `min`; `fallback` where it is not given. */
export function integerOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: ${JSON.stringify(text)} is not an integer ≥ ${min}`);
  return n;
}

/**
 * A table with a column per item (headed by its name) and a row per figure (a label and how to
 * print it for an item): labels padded right, cells right-aligned.
 */
export function columnTable<T extends {name: string}>(items: readonly T[], rows: ReadonlyArray<readonly [string, (item: T) => string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  const columns = items.map(item => Math.max(item.name.length, ...rows.map(([, cell]) => cell(item).length)));
  const line = (label: string, cells: string[]) => `${label.padEnd(width)}  ${cells.map((c, i) => c.padStart(columns[i]!)).join("  ")}`;
  return [line("", items.map(item => item.name)), ...rows.map(([label, cell]) => line(label, items.map(cell)))].join("\n");
}
