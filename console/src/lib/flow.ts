// Editing an outreach flow: pure functions the section's form calls (tested in flow.test.ts).
import type { Step } from "../api/client";

export type Kind = "phone" | "sms" | "email";
export const KINDS: { id: Kind; label: string }[] = [
  { id: "phone", label: "Phone call" },
  { id: "email", label: "Email" },
  { id: "sms", label: "SMS" },
];
export const OUTCOMES = ["answered_human", "voicemail", "no_answer", "busy", "failed", "delivered", "undelivered"];

export function newStep(kind: Kind, previous?: Step): Step {
  const delay = previous ? { amount: 1, unit: "days" as const } : { amount: 0, unit: "minutes" as const };
  if (kind === "phone") return { kind, agent_id: "", delay };
  if (kind === "sms") return { kind, body: "Hi {{first_name}}, ", delay };
  return { kind, subject: "", body: "Hi {{first_name}},\n\n", delay };
}

/** A step of another type keeps its delay, window and conditions. */
export function changeKind(step: Step, kind: Kind): Step {
  if (step.kind === kind) return step;
  const fresh = newStep(kind);
  return { ...fresh, delay: step.delay, window: step.window, when_previous: step.when_previous };
}

export function addStep(flow: Step[], kind: Kind = "sms"): Step[] {
  return [...flow, newStep(kind, flow[flow.length - 1])];
}

export function removeStep(flow: Step[], index: number): Step[] {
  return flow.filter((_, i) => i !== index);
}

export function updateStep(flow: Step[], index: number, change: Partial<Step>): Step[] {
  return flow.map((step, i) => (i === index ? ({ ...step, ...change } as Step) : step));
}

const KIND_WORD: Record<Kind, string> = { phone: "phone call", sms: "SMS", email: "email" };

/** "1 day after phone call", "Right away" for the first step. */
export function delayText(flow: Step[], index: number): string {
  const step = flow[index];
  const amount = step.delay?.amount ?? 0;
  const unit = step.delay?.unit ?? "minutes";
  if (index === 0) return amount === 0 ? "At launch" : `${amount} ${plural(unit, amount)} after launch`;
  const previous = KIND_WORD[flow[index - 1].kind];
  if (amount === 0) return `Right after ${previous}`;
  return `${amount} ${plural(unit, amount)} after ${previous}`;
}

function plural(unit: string, amount: number): string {
  return amount === 1 ? unit.replace(/s$/, "") : unit;
}

/** Problems found before sending (field -> message), keyed as the API keys them. */
export function flowProblems(flow: Step[]): Record<string, string> {
  const problems: Record<string, string> = {};
  if (flow.length === 0) problems["flow"] = "Add at least one step";
  flow.forEach((step, i) => {
    if (step.kind === "phone" && !step.agent_id.trim()) problems[`flow.${i}.agent_id`] = "Choose an agent";
    if (step.kind !== "phone" && !step.body.trim()) problems[`flow.${i}.body`] = "Write the message";
    if (step.kind === "email" && !step.subject.trim()) problems[`flow.${i}.subject`] = "Write a subject";
  });
  return problems;
}

export const RETRY_OUTCOMES = ["busy", "no_answer", "voicemail", "failed"] as const;
export type RetryOutcome = (typeof RETRY_OUTCOMES)[number];
type Retries = NonNullable<Step["retries"]>;

/** The step's retry rule for an outcome turned on (30 minutes later, once) or off. */
export function toggleRetry(step: Step, outcome: RetryOutcome): Retries {
  const retries = { ...(step.retries ?? {}) };
  if (retries[outcome]) delete retries[outcome];
  else retries[outcome] = { delay: { amount: 30, unit: "minutes" }, max_retries: 1 };
  return retries;
}

/** The step's retry rule for an outcome with some of its fields changed. */
export function changeRetry(step: Step, outcome: RetryOutcome, change: { amount?: number; unit?: "minutes" | "hours" | "days"; max_retries?: number }): Retries {
  const rule = step.retries?.[outcome] ?? { delay: { amount: 30, unit: "minutes" }, max_retries: 1 };
  const delay = { amount: change.amount ?? rule.delay?.amount ?? 30, unit: change.unit ?? rule.delay?.unit ?? "minutes" };
  return { ...(step.retries ?? {}), [outcome]: { delay, max_retries: change.max_retries ?? rule.max_retries ?? 1 } };
}
