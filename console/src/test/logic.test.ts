import { describe, expect, it } from "vitest";
import type { Step } from "../api/client";
import { errorFor, fieldErrors } from "../lib/errors";
import { addStep, changeKind, delayText, flowProblems, removeStep } from "../lib/flow";
import { assign, columnsOf, mappingProblems, withCustom } from "../lib/mapping";
import { instantIn } from "../lib/time";
import { addBlackout, DEFAULT_WINDOW, removeBlackout, toggleDay, togglePreset, windowProblems } from "../lib/window";

describe("window editing", () => {
  it("keeps the days in week order and refuses an empty week", () => {
    const w = toggleDay(toggleDay(DEFAULT_WINDOW, "sun"), "mon");
    expect(w.days).toEqual(["tue", "wed", "thu", "fri", "sun"]);
    const none = ["tue", "wed", "thu", "fri", "sun"].reduce((acc, d) => toggleDay(acc, d as "tue"), w);
    expect(windowProblems(none)["window.days"]).toBe("Choose at least one day");
  });
  it("needs the end after the start, with 24:00 allowed", () => {
    expect(windowProblems({ ...DEFAULT_WINDOW, start: "18:00", end: "09:00" })["window.end"]).toMatch(/after start/);
    expect(windowProblems({ ...DEFAULT_WINDOW, start: "00:00", end: "24:00" })).toEqual({});
  });
  it("adds blackout dates once and in order, and removes them", () => {
    let w = addBlackout(addBlackout(DEFAULT_WINDOW, "2026-12-31"), "2026-12-24");
    w = addBlackout(addBlackout(w, "2026-12-24"), "not a date");
    expect(w.blackout_dates).toEqual(["2026-12-24", "2026-12-31"]);
    expect(removeBlackout(w, "2026-12-24").blackout_dates).toEqual(["2026-12-31"]);
  });
  it("toggles holiday presets", () => {
    const w = togglePreset(togglePreset(DEFAULT_WINDOW, "us_state:TX"), "us_federal");
    expect(w.holiday_presets).toEqual(["us_federal", "us_state:TX"]);
    expect(togglePreset(w, "us_federal").holiday_presets).toEqual(["us_state:TX"]);
  });
});

describe("flow editing", () => {
  const call: Step = { kind: "phone", agent_id: "agt_1", delay: { amount: 0, unit: "minutes" } };
  it("adds a next step one day later and describes its delay", () => {
    const flow = addStep([call], "sms");
    expect(flow[1]).toMatchObject({ kind: "sms", delay: { amount: 1, unit: "days" } });
    expect(delayText(flow, 1)).toBe("1 day after phone call");
    expect(delayText(flow, 0)).toBe("At launch");
    expect(delayText([call, { ...flow[1], delay: { amount: 3, unit: "hours" } }], 1)).toBe("3 hours after phone call");
  });
  it("keeps delay and conditions when a step changes type", () => {
    const sms: Step = { kind: "sms", body: "hi", delay: { amount: 2, unit: "days" }, when_previous: ["no_answer"] };
    const email = changeKind(sms, "email");
    expect(email).toMatchObject({ kind: "email", delay: { amount: 2, unit: "days" }, when_previous: ["no_answer"] });
  });
  it("names what is missing, keyed as the API keys it", () => {
    const flow: Step[] = [{ ...call, agent_id: " " }, { kind: "email", subject: "", body: "", delay: {} as Step["delay"] }];
    expect(flowProblems(flow)).toEqual({ "flow.0.agent_id": "Choose an agent", "flow.1.body": "Write the message", "flow.1.subject": "Write a subject" });
    expect(flowProblems(removeStep(removeStep(flow, 0), 0))).toEqual({ flow: "Add at least one step" });
  });
});

describe("mapping", () => {
  it("numbers the columns of a file without headers", () => {
    expect(columnsOf(null, [["a", "b"], ["c", "d", "e"]])).toEqual(["1", "2", "3"]);
  });
  it("moves a column that is put on a second field", () => {
    const m = assign(assign({}, "first_name", "Name"), "last_name", "Name");
    expect(m).toEqual({ last_name: "Name" });
    expect(assign(m, "last_name", "")).toEqual({});
  });
  it("keeps other columns as custom fields and requires To Number", () => {
    expect(withCustom({ to_number: "Phone" }, ["Phone", "Account ID", "email"], true)).toEqual({ to_number: "Phone", account_id: "Account ID" });
    expect(mappingProblems({})).toEqual({ mapping: "Map a column to To Number" });
  });
});

describe("API errors", () => {
  it("puts each 422 problem on the field it names", () => {
    const errors = fieldErrors({
      detail: [
        { loc: ["body", "window", "end"], msg: "end must be after start" },
        { loc: ["body", "flow", 0, "phone", "agent_id"], msg: "Field required" },
      ],
    });
    expect(errors).toEqual({ "window.end": "end must be after start", "flow.0.agent_id": "Field required" });
    expect(errorFor(errors, "window")).toBe("end must be after start");
    expect(fieldErrors({ detail: "campaign is active" })).toEqual({ "": "campaign is active" });
  });
});

describe("times", () => {
  it("reads a wall-clock time in a zone", () => {
    expect(instantIn("2026-07-01", "09:30", "America/Chicago")).toBe("2026-07-01T14:30:00.000Z");
    expect(instantIn("2026-12-01", "09:30", "America/Chicago")).toBe("2026-12-01T15:30:00.000Z");
  });
});
