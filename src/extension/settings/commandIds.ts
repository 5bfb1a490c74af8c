// Command ids and titles (category "Draftstop"); package.json's contributes.commands is generated from this list.
export const COMMANDS = {
  enable: {id: "draftstop.enable", title: "Enable Completions"},
  disable: {id: "draftstop.disable", title: "Disable Completions"},
  selectTargetModel: {id: "draftstop.selectTargetModel", title: "Select Target Model"},
  selectDraftModel: {id: "draftstop.selectDraftModel", title: "Select Draft Model"},
  choosePolicy: {id: "draftstop.choosePolicy", title: "Choose Draft Policy"},
  setPolicyParameters: {id: "draftstop.setPolicyParameters", title: "Set Policy Parameters"},
  showStats: {id: "draftstop.showStats", title: "Show Stats"},
  resetStats: {id: "draftstop.resetStats", title: "Reset Stats"},
  benchmarkWorkspace: {id: "draftstop.benchmarkWorkspace", title: "Benchmark This Workspace"},
  downloadRecommendedModels: {id: "draftstop.downloadRecommendedModels", title: "Download Recommended Models"},
  useDemoModels: {id: "draftstop.useDemoModels", title: "Use the Tiny Demo Models"},
  showLog: {id: "draftstop.showLog", title: "Show Log"},
  snooze: {id: "draftstop.snooze", title: "Snooze Completions"},
  resume: {id: "draftstop.resume", title: "Resume Completions"},
  showMenu: {id: "draftstop.showMenu", title: "Show Status Menu"}
} as const;

export type CommandName = keyof typeof COMMANDS;
export const COMMAND_CATEGORY = "Draftstop";

/**
 * Key bindings package.json contributes. With the suggest widget open, VS Code gives Tab to the
 * widget, which inserts the selected item only; when ghost text continues that item (the
 * completion beside the widget), Tab accepts the item and its continuation in one press.
 * Without ghost text the widget keeps Tab. A user who wants Tab for the item alone removes this
 * binding in Keyboard Shortcuts.
 */
export const KEYBINDINGS = [
  {
    command: "editor.action.inlineSuggest.commit",
    key: "tab",
    when: "editorTextFocus && suggestWidgetVisible && inlineSuggestionVisible && !editorReadonly && !editorTabMovesFocus && !editorHoverFocused"
  }
] as const;
