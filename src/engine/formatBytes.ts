/**
 * A size for people: `2.18 GB`, `11.1 MB`, `640 kB` (decimal units, as Hugging Face shows file sizes).
 * It lives here, in the lowest layer, so that every layer above (the model process, models, ui) shows sizes alike.
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}
