// The line comment of a language, for the commented file headers of models without multi-file
// tokens (src/engine/prompt/extraContext/render.ts, format "comments").
const HASH = ["python", "shellscript", "ruby", "perl", "r", "yaml", "toml", "dockerfile", "makefile", "powershell", "coffeescript", "julia", "elixir", "nim", "cmake", "properties"];
const DASHES = ["sql", "lua", "haskell", "elm", "ada", "vhdl"];
const SEMICOLON = ["clojure", "lisp", "scheme", "racket", "ini"];
const PERCENT = ["latex", "tex", "erlang", "matlab", "prolog"];

/** `#` for Python, `--` for SQL, …; `//` for the C family and anything unknown. */
export function lineCommentFor(languageId: string): string {
  if (HASH.includes(languageId)) return "#";
  if (DASHES.includes(languageId)) return "--";
  if (SEMICOLON.includes(languageId)) return ";";
  if (PERCENT.includes(languageId)) return "%";
  return "//";
}
