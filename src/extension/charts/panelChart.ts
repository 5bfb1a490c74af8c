// A chart of the statistics panel, or the line of text shown in its place when there is nothing to
// plot yet: an empty frame says nothing, a sentence says why it is empty.
import type {TopLevelSpec} from "vega-lite" with {"resolution-mode": "import"};

export type PanelChart =
  | {kind: "chart"; spec: TopLevelSpec}
  | {kind: "note"; title: string; text: string};

export const chart = (spec: TopLevelSpec): PanelChart => ({kind: "chart", spec});
export const note = (title: string, text: string): PanelChart => ({kind: "note", title, text});
