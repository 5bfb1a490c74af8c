// Installs missing Debian packages when we may (Linux with dpkg, running as root);
// otherwise says exactly what to install. On other systems it does nothing.
import {spawnSync} from "node:child_process";

/** What code-server's npm install needs: headers for its native modules, and ripgrep (docs/facts.md, "Installing code-server"). */
export const CODE_SERVER_APT_PACKAGES = ["libkrb5-dev", "libx11-dev", "libxkbfile-dev", "libsecret-1-dev", "pkg-config", "ripgrep"];
/** The browser that Playwright drives (playwright-core cannot download its own here). */
export const CHROMIUM_APT_PACKAGES = ["chromium"];

function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], {stdio: "ignore"}).status === 0;
}

/** The packages of `names` that dpkg does not report as installed; [] where there is no dpkg. */
export function missingAptPackages(names: readonly string[]): string[] {
  if (process.platform !== "linux" || !hasCommand("dpkg-query")) return [];
  const out = spawnSync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...names], {encoding: "utf8"}).stdout;
  const installed = new Set(out.split("\n").filter((line) => line.endsWith(" installed")).map((line) => line.split(/[ :]/)[0]));
  return names.filter((name) => !installed.has(name));
}

function aptGet(args: string[]): boolean {
  const env = {...process.env, DEBIAN_FRONTEND: "noninteractive"};
  return spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", ...args], {stdio: "inherit", env}).status === 0;
}

/**
 * Makes sure the Debian packages `names` are installed. Runs `apt-get install` only for missing ones
 * and only as root (then `apt-get update` and a retry if the package lists are stale); throws an
 * error that names the command to run otherwise.
 */
export function ensureAptPackages(names: readonly string[], log: (line: string) => void = console.log): void {
  const missing = missingAptPackages(names);
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (process.getuid?.() !== 0 || !hasCommand("apt-get"))
    throw new Error(`Missing Debian packages: ${missing.join(", ")}. Install them with:\n  sudo ${command}`);
  log(`[apt] ${command}`);
  const install = ["install", "-y", "-qq", "--no-install-recommends", ...missing];
  if (!aptGet(install) && !(aptGet(["update", "-qq"]) && aptGet(install)))
    throw new Error(`Could not install Debian packages ${missing.join(", ")} (see apt-get's output above)`);
}
