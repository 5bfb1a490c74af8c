import assert from "node:assert/strict";
import {draftSources} from "../../src/engine/drafting/drafters";
import {generateOptionsFrom, loadOptionsFrom, MODEL_SETTINGS, policySpecFrom} from "../../src/extension/settings/engineOptions";
import {isPolicySetting, PolicySetting} from "../../src/extension/settings/policySetting";
import {defaultSettings, SETTINGS} from "../../src/extension/settings/schema";
import {validateSettings} from "../../src/extension/settings/validate";
import {DRAFTER_SETTINGS, GENERATE_DEFAULTS, resolveGenerateOptions, resolveLoadOptions} from "../../src/engine/options";
import {ADAEDL_DEFAULTS} from "../../src/engine/drafting/policies";

describe("settings validation", () => {
  const defaults = defaultSettings();

  it("accepts valid values and fills the rest from the previous values", () => {
    const {values, problems} = validateSettings({temperature: 0.7, policy: "static", "static.k": 6, disabledLanguages: ["markdown"]}, defaults);
    assert.deepEqual(problems, []);
    assert.equal(values.temperature, 0.7);
    assert.equal(values.policy, "static");
    assert.deepEqual(values.disabledLanguages, ["markdown"]);
    assert.equal(values.maxTokens, defaults.maxTokens);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["temperature", -1, /draftstop\.temperature: -1 is not valid; expected a number ≥ 0 and ≤ 2\. Keeping 0\./],
    ["temperature", Number.NaN, /draftstop\.temperature: NaN is not valid/],
    ["maxTokens", 10_000_000, /draftstop\.maxTokens: 10000000 is not valid; expected an integer ≥ 1 and ≤ 1024/],
    ["maxTokens", 2.5, /draftstop\.maxTokens/],
    ["policy", "turbo", /draftstop\.policy: "turbo" is not valid; expected one of costAware, adaedl, static, maxConfidence, heuristic, off/],
    ["drafter", "ngram", /^draftstop\.drafter: "ngram" is not valid; expected one of auto, model, lookup, both\. Keeping "auto"\.$/],
    ["drafter", 2, /^draftstop\.drafter: 2 is not valid; expected a string\./],
    ["gpu", "tpu", /draftstop\.gpu: "tpu" is not valid; expected one of auto, cuda, metal, vulkan, off/],
    ["threads", -2, /draftstop\.threads/],
    ["topP", 0, /draftstop\.topP: 0 is not valid; expected a number > 0/],
    ["enable", "yes", /draftstop\.enable: "yes" is not valid; expected true or false/],
    ["disabledLanguages", "markdown", /draftstop\.disabledLanguages: "markdown" is not valid; expected a list of strings/],
    ["adaedl.gamma", "0.2", /draftstop\.adaedl\.gamma/],
    ["trigger.midWord", "no", /^draftstop\.trigger\.midWord: "no" is not valid; expected true or false\. Keeping false\.$/],
    ["trigger.maxCharsRight", -1, /^draftstop\.trigger\.maxCharsRight: -1 is not valid; expected an integer ≥ 0 and ≤ 10000\. Keeping 8\.$/],
    ["trigger.maxCharsRight", 2.5, /draftstop\.trigger\.maxCharsRight: 2\.5 is not valid/]
  ];
  for (const [key, value, message] of bad)
    it(`refuses ${key} = ${String(value)}, naming the setting and keeping the last valid value`, () => {
      const previous = {...defaults, temperature: 0, maxTokens: 64};
      const {values, problems} = validateSettings({[key]: value}, previous);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.key, key);
      assert.match(problems[0]!.message, message);
      assert.deepEqual(values, previous);
    });
});

describe("drafter setting", () => {
  it("offers the engine's drafters, defaults to the engine's default, and is not a model setting", () => {
    assert.deepEqual(SETTINGS.drafter.enum, [...DRAFTER_SETTINGS]);
    assert.equal(SETTINGS.drafter.default, "auto");
    assert.equal(SETTINGS.drafter.default, GENERATE_DEFAULTS.drafter);
    assert.equal(SETTINGS.drafter.enumDescriptions.length, DRAFTER_SETTINGS.length);
    assert.match(SETTINGS.drafter.description, /auto: both when a draft model is set, lookup when none is/);
    assert.ok(!MODEL_SETTINGS.includes("drafter"), "switching it reloads nothing");
  });

  it("goes with every completion request, as an option the engine accepts", () => {
    for (const drafter of DRAFTER_SETTINGS) {
      const {values} = validateSettings({drafter}, defaultSettings());
      const options = generateOptionsFrom(values);
      assert.equal(options.drafter, drafter);
      assert.equal(resolveGenerateOptions(options).drafter, drafter);
    }
  });

  it("keeps the last valid drafter when a bad one comes", () => {
    const {values: lookup} = validateSettings({drafter: "lookup"}, defaultSettings());
    const {values, problems} = validateSettings({drafter: "fastest"}, lookup);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /Keeping "lookup"\.$/);
    assert.equal(generateOptionsFrom(values).drafter, "lookup");
  });

  it("says what drafts with the models loaded: auto is both with a draft model, lookup without; policy off drafts nothing", () => {
    assert.equal(draftSources("auto", true), "both");
    assert.equal(draftSources("auto", false), "lookup");
    assert.equal(draftSources("model", true), "model");
    assert.equal(draftSources("model", false), "none");
    assert.equal(draftSources("lookup", true), "lookup");
    assert.equal(draftSources("both", false), "lookup");
    assert.equal(draftSources("both", true, "off"), "none");
    assert.equal(draftSources("lookup", false, "costAware"), "lookup");
  });
});

describe("policy settings", () => {
  it("builds each policy's spec from its settings", () => {
    const values = {...defaultSettings(), policy: "adaedl" as const, "adaedl.gamma": 0.3};
    assert.deepEqual(policySpecFrom(values), {name: "adaedl", ...ADAEDL_DEFAULTS, gamma: 0.3});
    assert.deepEqual(policySpecFrom({...values, policy: "static", "static.k": 7}), {name: "static", k: 7});
    assert.deepEqual(policySpecFrom({...values, policy: "off"}), {name: "off"});
  });

  it("refuses a combination no single range can catch and keeps the last valid policy", () => {
    const reports: string[] = [];
    const policy = new PolicySetting((key, message) => reports.push(`${key}|${message}`));
    const good = {...defaultSettings(), policy: "static" as const, "static.k": 3};
    assert.deepEqual(policy.resolve(good), {name: "static", k: 3});
    const bad = {...defaultSettings(), policy: "adaedl" as const, "adaedl.minDraft": 10, "adaedl.maxDraft": 4};
    assert.deepEqual(policy.resolve(bad), {name: "static", k: 3});
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /^adaedl\.minDraft\|draftstop\.adaedl\.minDraft: 10 is not valid.*Keeping the static policy/);
  });

  it("knows which settings are policy settings and which reload the models", () => {
    assert.ok(isPolicySetting("policy") && isPolicySetting("adaedl.gamma") && isPolicySetting("static.k"));
    assert.ok(!isPolicySetting("debounce.minMs") && !isPolicySetting("temperature"));
    assert.deepEqual([...MODEL_SETTINGS].sort(), ["contextSize", "draftModel", "gpu", "kvCacheType", "targetModel", "threads"]);
  });

  it("passes the KV cache setting to the load, and the engine's options refuse what it does not know", () => {
    const paths = {targetPath: "t.gguf"};
    assert.equal(loadOptionsFrom(defaultSettings(), paths, {name: "off"}).kvCacheType, "F16");
    const q8 = loadOptionsFrom({...defaultSettings(), kvCacheType: "Q8_0"}, paths, {name: "off"});
    assert.equal(resolveLoadOptions(q8).kvCacheType, "Q8_0");
    assert.throws(() => resolveLoadOptions({...q8, kvCacheType: "Q4_0" as never}), /kvCacheType.*"F16", "F32", "Q8_0"/);
  });

  it("scopes model paths and the download folder to the machine", () => {
    for (const key of ["targetModel", "draftModel", "modelDirectory"] as const) assert.equal(SETTINGS[key].scope, "machine");
  });
});

describe("trigger settings", () => {
  it("default to no automatic trigger mid-word and at most 8 characters right of the cursor, neither reloading the models", () => {
    const defaults = defaultSettings();
    assert.equal(defaults["trigger.midWord"], false);
    assert.equal(defaults["trigger.maxCharsRight"], 8);
    assert.ok(!MODEL_SETTINGS.includes("trigger.midWord") && !MODEL_SETTINGS.includes("trigger.maxCharsRight"));
    assert.ok(!isPolicySetting("trigger.midWord"));
  });
});
