// Activation: wires the pieces together and nothing else. The models run in a separate process
// (src/modelProcess/engineHost.ts); this file never loads node-llama-cpp.
import * as vscode from "vscode";
import {MODEL_SETTINGS} from "./extension/settings/engineOptions";
import {isPolicySetting, PolicySetting} from "./extension/settings/policySetting";
import {SettingKey, SettingValues, SETTINGS_SECTION} from "./extension/settings/schema";
import {SettingsStore} from "./extension/settings/settings";
import {DraftstopInlineProvider} from "./extension/completion/provider";
import {Snooze} from "./extension/completion/snooze";
import {ExtraContextCollector, extraContextSettingsOn} from "./extension/completion/extraContext/collector";
import {AbortableLock} from "./engine/lock";
import type {DrafterSetting} from "./engine/options";
import {findDemoPair} from "./extension/models/demoPair";
import {ModelManager} from "./extension/models/modelManager";
import type {BenchmarkRequest} from "./protocol";
import {EngineSession} from "./extension/session/engineSession";
import type {SharedProcessOptions} from "./extension/session/sharedProcessClient";
import {SessionHistory} from "./extension/session/history";
import {BenchmarkStore, benchmarkWorkspace} from "./extension/ui/benchmarkCommand";
import {COMMANDS} from "./extension/settings/commandIds";
import {registerCommands} from "./extension/ui/commands";
import {createLog, DraftstopLog} from "./extension/ui/log";
import {StatsPanel} from "./extension/ui/statsPanel";
import {StatusBar} from "./extension/ui/statusBar";

/** What activate() returns: the extension's parts, for the extension-host tests. */
export interface DraftstopApi {
  session: EngineSession;
  provider: DraftstopInlineProvider;
  statusBar: StatusBar;
  snooze: Snooze;
  /** The chunks of other files that go into prompts. */
  extraContext: ExtraContextCollector;
  settings: SettingsStore;
  models: ModelManager;
  history: SessionHistory;
  benchmarks: BenchmarkStore;
  log: DraftstopLog;
  /** The folder of the log channel's file (Draftstop.log), where tests read what the log says. */
  logFolder: string;
  /** Settles when the models named by the settings at this moment are loaded (or failed to). */
  idle(): Promise<void>;
}

let session: EngineSession | undefined;

export function activate(context: vscode.ExtensionContext): DraftstopApi {
  const log = createLog();
  const settings = new SettingsStore();
  session = new EngineSession({hostScript: context.asAbsolutePath("out/dist/engineHost.js"), shared: sharedProcessOptions(settings.values, context)});
  const snooze = new Snooze();
  const extraContext = new ExtraContextCollector(settings, log);
  const provider = new DraftstopInlineProvider(session, settings, log, snooze, extraContext);
  const activeSession = session;
  const statusBar = new StatusBar(() => ({
    state: activeSession.snapshot.disabled ? {kind: "disabled"} : activeSession.snapshot.state,
    info: activeSession.snapshot.info,
    stats: activeSession.snapshot.stats,
    policy: activeSession.snapshot.policy,
    draftProblem: activeSession.snapshot.draftProblem,
    drafter: settings.values.drafter as DrafterSetting,
    snooze: snooze.state,
    lastOutcome: provider.outcomes.last,
    lastGenerated: provider.outcomes.lastGenerated
  }));

  // Loads and policy changes run one after another, in the order the settings changed.
  const settingsLock = new AbortableLock();
  const enqueue = (task: () => Promise<unknown>) => void settingsLock.run(task).catch(error => log.error(String(error)));

  const warnAboutSetting = (key: string, message: string) => {
    log.warn(message);
    void vscode.window.showWarningMessage(`Draftstop: ${message}`, "Open Settings").then(choice => {
      if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", `${SETTINGS_SECTION}.${key}`);
    });
  };
  const policy = new PolicySetting(warnAboutSetting);
  const models = new ModelManager(activeSession, settings, log, context.globalStorageUri.fsPath, findDemoPair(context.extensionPath),
    () => policy.resolve(settings.values));
  const applyPolicy = async () => {
    const spec = policy.resolve(settings.values);
    if (activeSession.ready) await activeSession.setPolicy(spec);
  };

  const history = new SessionHistory();
  const benchmarks = new BenchmarkStore(context.globalStorageUri.fsPath);
  void benchmarks.load();
  const panelSources = {session: activeSession, history, latestBenchmark: () => benchmarks.current, log, outcomes: provider.outcomes,
    drafter: () => settings.values.drafter as DrafterSetting, policySpec: () => policy.current,
    extraContextEnabled: () => extraContextSettingsOn(settings.values),
    onDidChangeSettings: settings.onDidChange};
  const showPanel = async () => void StatsPanel.show(context.extensionUri, panelSources);

  const renderStatus = () => statusBar.render();
  activeSession.on("change", renderStatus);
  const outcomeSubscription = provider.outcomes.onDidRecord(renderStatus);
  const snoozeSubscription = snooze.onDidChange(state => {
    renderStatus();
    log.info(state.snoozed ? `completions snoozed ${state.until === undefined ? "until resumed" : `until ${new Date(state.until).toISOString()}`}`
      : "completions resumed");
    // Ghost text already on screen goes with the snooze.
    if (state.snoozed) void vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
  });
  activeSession.on("generation", summary => history.add(summary));
  activeSession.on("log", line => log.info(`[model process] ${line}`));
  activeSession.on("problem", ({message, crash}) => {
    log.error(message + (crash?.stderr ? `\n${crash.stderr}` : ""));
    void vscode.window.showWarningMessage(`Draftstop: ${message}`, "Show Log").then(choice => choice && log.show());
  });
  activeSession.setDisabled(!settings.values.enable);
  renderStatus();

  for (const problem of settings.validateNow()) warnAboutSetting(problem.key, problem.message);
  settings.onDidReject(problems => problems.forEach(p => warnAboutSetting(p.key, p.message)));
  settings.onDidChange(({keys}) => {
    provider.reset();
    const changed = (key: SettingKey) => keys.includes(key);
    if (changed("enable")) activeSession.setDisabled(!settings.values.enable);
    // The drafter travels with each request (nothing to send now); the status bar and panel say which one is in use.
    if (changed("drafter")) {
      renderStatus();
      StatsPanel.instance?.schedule();
    }
    if (keys.some(k => MODEL_SETTINGS.includes(k))) enqueue(() => models.loadFromSettings());
    else {
      if (keys.some(isPolicySetting)) enqueue(applyPolicy);
      if (changed("fimLayout")) enqueue(() => activeSession.chooseFimLayout(settings.values.fimLayout as "auto" | "psm" | "spm"));
    }
  });

  context.subscriptions.push(
    log, settings, statusBar, provider, extraContext, outcomeSubscription, snoozeSubscription, snooze,
    vscode.languages.registerInlineCompletionItemProvider({pattern: "**"}, provider),
    ...registerCommands({settings, session: activeSession, models, log, showStats: showPanel,
      snooze,
      resetStats: async () => {
        history.clear();
        provider.outcomes.clear();
        await activeSession.resetStats();
      }}),
    vscode.commands.registerCommand(COMMANDS.benchmarkWorkspace.id, async (overrides?: Partial<BenchmarkRequest>) => {
      const result = await benchmarkWorkspace(activeSession, settings.values, benchmarks, log, overrides);
      if (result) await showPanel();
      return result;
    }),
    {dispose: () => StatsPanel.instance?.dispose()}
  );
  enqueue(() => models.loadFromSettings());
  log.info(`Draftstop activated (VS Code ${vscode.version}, ${vscode.env.uiKind === vscode.UIKind.Web ? "web" : "desktop"} UI)`);

  return {session: activeSession, provider, statusBar, snooze, extraContext, settings, models, history, benchmarks, log, logFolder: context.logUri.fsPath, idle: () => settingsLock.run(async () => undefined)};
}

export async function deactivate(): Promise<void> {
  await session?.dispose();
  session = undefined;
}

/** One model process for every window (docs/sharing.md), unless the user turned sharing off; read once, at activation. */
function sharedProcessOptions(values: SettingValues, context: vscode.ExtensionContext): SharedProcessOptions | undefined {
  if (!values.shareModelProcess) return undefined;
  // code-server gives every window the same placeholder sessionId: the extension host's pid tells them apart.
  return {version: String(context.extension.packageJSON.version), window: `${vscode.env.sessionId.slice(0, 40)}-${process.pid}`,
    idleExitMs: Math.round(values["sharedProcess.idleMinutes"] * 60_000)};
}
