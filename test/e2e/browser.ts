// Headless Chromium through playwright-core, which cannot download a browser here: it drives the
// system's Chromium (Debian's package on Linux, installed when missing and we are root).
import {existsSync} from "node:fs";
import {chromium, type BrowserContext} from "playwright-core";
import {CHROMIUM_APT_PACKAGES, ensureAptPackages} from "../../src/lab/cli/apt";

/** Flags for a closed network: without the background-networking ones Chromium keeps dialing out. */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"
];

export interface LaunchChromiumOptions {
  /** A fresh profile folder. */
  userDataDir: string;
  /** Default: $CHROMIUM_PATH, else /usr/bin/chromium on Linux, else the installed Google Chrome. */
  executablePath?: string;
  /** Default: 1280×800. */
  viewport?: {width: number, height: number};
}

function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (process.platform !== "linux") return undefined;
  if (!existsSync("/usr/bin/chromium")) ensureAptPackages(CHROMIUM_APT_PACKAGES);
  return "/usr/bin/chromium";
}

export async function launchChromium(options: LaunchChromiumOptions): Promise<BrowserContext> {
  const executablePath = options.executablePath ?? chromiumPath();
  return chromium.launchPersistentContext(options.userDataDir, {
    ...(executablePath ? {executablePath} : {channel: "chrome"}),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? {width: 1280, height: 800}
  });
}
