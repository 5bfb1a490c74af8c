// What the lab's measuring commands share in how they read options and print results.

/** A whole-number option `--name` of at least `min`; `fallback` where it is not given. */
export function integerOption(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: ${JSON.stringify(text)} is not an integer ≥ ${min}`);
  return n;
}

/**
 * "gamma=0.05,planAhead=false" → the parameters, each typed as `defaults` types it: true or false
 * where the default is a boolean, else a number. A key the defaults lack is read as a number and
 * left to the policy's own check, which names it. `option` heads an error ("--policy adaedl:…").
 */
export function policyParams(option: string, list: string, defaults: object): Record<string, number | boolean> {
  const types = defaults as Record<string, unknown>;
  const params: Record<string, number | boolean> = {};
  for (const pair of list.split(",").filter(Boolean)) {
    const [key, value] = pair.split("=");
    if (key && typeof types[key] === "boolean") {
      if (value !== "true" && value !== "false") throw new Error(`${option}: "${pair}" is not ${key}=true or ${key}=false`);
      params[key] = value === "true";
      continue;
    }
    if (!key || value === undefined || !Number.isFinite(Number(value))) throw new Error(`${option}: "${pair}" is not key=number`);
    params[key] = Number(value);
  }
  return params;
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
