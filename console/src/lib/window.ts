// Editing a contact window: pure functions the section's form calls (tested in window.test.ts).
import type { ContactWindow } from "../api/client";

export const DAYS = [
  ["mon", "Mon"],
  ["tue", "Tue"],
  ["wed", "Wed"],
  ["thu", "Thu"],
  ["fri", "Fri"],
  ["sat", "Sat"],
  ["sun", "Sun"],
] as const;
export type Day = (typeof DAYS)[number][0];

export const US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH " +
  "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split(" ");

export const DEFAULT_WINDOW: ContactWindow = {
  days: ["mon", "tue", "wed", "thu", "fri"],
  start: "09:00",
  end: "19:00",
  timezone: { primary: "contact", fallback: "America/New_York" },
  blackout_dates: [],
  holiday_presets: [],
  compliance: "us_tcpa",
};

export function toggleDay(window: ContactWindow, day: Day): ContactWindow {
  const has = window.days.includes(day);
  const days = has ? window.days.filter((d) => d !== day) : [...window.days, day];
  return { ...window, days: DAYS.map(([d]) => d).filter((d) => days.includes(d)) };
}

export function togglePreset(window: ContactWindow, preset: string): ContactWindow {
  const presets = window.holiday_presets ?? [];
  const next = presets.includes(preset) ? presets.filter((p) => p !== preset) : [...presets, preset];
  return { ...window, holiday_presets: next.sort() };
}

export function addBlackout(window: ContactWindow, date: string): ContactWindow {
  const dates = window.blackout_dates ?? [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || dates.includes(date)) return window;
  return { ...window, blackout_dates: [...dates, date].sort() };
}

export function removeBlackout(window: ContactWindow, date: string): ContactWindow {
  return { ...window, blackout_dates: (window.blackout_dates ?? []).filter((d) => d !== date) };
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

/** Problems the API would report, found before sending (field -> message). */
export function windowProblems(window: ContactWindow): Record<string, string> {
  const problems: Record<string, string> = {};
  if (window.days.length === 0) problems["window.days"] = "Choose at least one day";
  const start = window.start ?? "09:00";
  const end = window.end ?? "19:00";
  if (end !== "24:00" && minutes(end) <= minutes(start)) problems["window.end"] = "End time must be after start time";
  return problems;
}
