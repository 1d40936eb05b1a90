import { useEffect, useState } from "react";
import { api, type Campaign, type Step } from "../api/client";
import { Field, FormError } from "../components/Field";
import { useSaving } from "../components/useSaving";
import { errorFor, fieldErrors, type FieldErrors } from "../lib/errors";
import { addStep, changeKind, changeRetry, delayText, flowProblems, KINDS, OUTCOMES, removeStep, RETRY_OUTCOMES, toggleRetry, updateStep, type Kind } from "../lib/flow";
import type { Save } from "../pages/CampaignPage";

type Agent = { id: string; name?: string };

export function FlowSection({ campaign, save }: { campaign: Campaign; save: Save }) {
  const [flow, setFlow] = useState<Step[]>(campaign.spec.flow ?? []);
  const { errors, saved, submit } = useSaving(save);
  const [agents, setAgents] = useState<Agent[]>([]);
  useEffect(() => {
    void api.GET("/api/v1/agents").then(({ data }) => setAgents((data ?? []).map((a) => ({ id: String(a.id), name: a.name ? String(a.name) : undefined }))));
  }, []);

  const set = (i: number, change: Partial<Step>) => setFlow(updateStep(flow, i, change));

  return (
    <form aria-label="Outreach flow" onSubmit={(e) => (e.preventDefault(), void submit({ flow }, flowProblems(flow)))}>
      <ol className="steps">
        {flow.map((step, i) => (
          <li key={i}>
            <fieldset>
              <legend>
                Step {i + 1}: {delayText(flow, i)}
              </legend>
              <div className="row">
                <Field label="Step type">
                  {(id) => (
                    <select id={id} value={step.kind} onChange={(e) => setFlow(flow.map((s, j) => (j === i ? changeKind(s, e.target.value as Kind) : s)))}>
                      {KINDS.map((k) => <option key={k.id} value={k.id}>{k.label}</option>)}
                    </select>
                  )}
                </Field>
                <Field label={i === 0 ? "Delay after launch" : "Delay"} error={errorFor(errors, `flow.${i}.delay`)}>
                  {(id, d) => <input id={id} aria-describedby={d} type="number" min={0} value={step.delay?.amount ?? 0} onChange={(e) => set(i, { delay: { unit: step.delay?.unit ?? "minutes", amount: Number(e.target.value) } })} />}
                </Field>
                <Field label="Delay unit">
                  {(id) => (
                    <select id={id} value={step.delay?.unit ?? "minutes"} onChange={(e) => set(i, { delay: { amount: step.delay?.amount ?? 0, unit: e.target.value as "minutes" | "hours" | "days" } })}>
                      <option value="minutes">minutes</option>
                      <option value="hours">hours</option>
                      <option value="days">days</option>
                    </select>
                  )}
                </Field>
              </div>
              {step.kind === "phone" && (
                <>
                  <Field label="Agent" error={errorFor(errors, `flow.${i}.agent_id`)}>
                    {(id, d) => (
                      <>
                        <input id={id} aria-describedby={d} list={`agents-${i}`} value={step.agent_id} onChange={(e) => set(i, { agent_id: e.target.value })} />
                        <datalist id={`agents-${i}`}>{agents.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}</datalist>
                      </>
                    )}
                  </Field>
                  <fieldset>
                    <legend>When to place call</legend>
                    <label className="inline">
                      <input type="radio" name={`when-${i}`} checked={!step.window} onChange={() => set(i, { window: null })} />
                      At the earliest eligible time
                    </label>
                    <label className="inline">
                      <input type="radio" name={`when-${i}`} checked={!!step.window} onChange={() => set(i, { window: { start: "10:00", end: "16:00" } })} />
                      In a specific time window
                    </label>
                    {step.window && (
                      <div className="row">
                        <Field label="Call window start" error={errorFor(errors, `flow.${i}.window`)}>
                          {(id, d) => <input id={id} aria-describedby={d} type="time" value={step.window!.start} onChange={(e) => set(i, { window: { ...step.window!, start: e.target.value } })} />}
                        </Field>
                        <Field label="Call window end">
                          {(id) => <input id={id} type="time" value={step.window!.end} onChange={(e) => set(i, { window: { ...step.window!, end: e.target.value } })} />}
                        </Field>
                      </div>
                    )}
                  </fieldset>
                </>
              )}
              {step.kind === "email" && (
                <Field label="Subject" error={errorFor(errors, `flow.${i}.subject`)}>
                  {(id, d) => <input id={id} aria-describedby={d} value={step.subject} onChange={(e) => set(i, { subject: e.target.value })} />}
                </Field>
              )}
              {step.kind !== "phone" && (
                <>
                  <Field label={step.kind === "sms" ? "SMS body" : "Email body"} error={errorFor(errors, `flow.${i}.body`)}>
                    {(id, d) => <textarea id={id} aria-describedby={d} rows={4} value={step.body} onChange={(e) => set(i, { body: e.target.value })} />}
                  </Field>
                  <Preview step={step} />
                </>
              )}
              {i > 0 && (
                <fieldset>
                  <legend>Only when the previous outcome was</legend>
                  {OUTCOMES.map((o) => (
                    <label key={o} className="inline">
                      <input type="checkbox" checked={(step.when_previous ?? []).includes(o)}
                        onChange={() => {
                          const now = step.when_previous ?? [];
                          const next = now.includes(o) ? now.filter((x) => x !== o) : [...now, o];
                          set(i, { when_previous: next.length ? next : null });
                        }} />
                      {o.replace("_", " ")}
                    </label>
                  ))}
                </fieldset>
              )}
              <Retries step={step} index={i} errors={errors} onChange={(retries) => set(i, { retries })} />
              <button type="button" onClick={() => setFlow(removeStep(flow, i))}>Remove step {i + 1}</button>
            </fieldset>
          </li>
        ))}
      </ol>
      <FormError message={errorFor(errors, "flow") && !flow.length ? errorFor(errors, "flow") : errors[""]} />
      <button type="button" onClick={() => setFlow(addStep(flow, flow.length ? "sms" : "phone"))}>Add next outreach</button>{" "}
      <button type="submit">Save outreach flow</button>
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}

/** Retry the same step after some outcomes: how long after, and how many times. */
function Retries({ step, index, errors, onChange }: { step: Step; index: number; errors: FieldErrors; onChange: (r: NonNullable<Step["retries"]>) => void }) {
  const word = (o: string) => o.replace("_", " ");
  return (
    <fieldset>
      <legend>Retries</legend>
      {RETRY_OUTCOMES.map((o) => {
        const rule = step.retries?.[o];
        return (
          <div key={o} className="row">
            <label className="inline">
              <input type="checkbox" checked={!!rule} onChange={() => onChange(toggleRetry(step, o))} />
              Retry after {word(o)}
            </label>
            {rule && (
              <>
                <Field label={`Retries after ${word(o)}`} error={errorFor(errors, `flow.${index}.retries.${o}.max_retries`)}>
                  {(id, d) => <input id={id} aria-describedby={d} type="number" min={0} max={20} value={rule.max_retries ?? 1} onChange={(e) => onChange(changeRetry(step, o, { max_retries: Number(e.target.value) }))} />}
                </Field>
                <Field label={`Wait after ${word(o)}`} error={errorFor(errors, `flow.${index}.retries.${o}.delay`)}>
                  {(id, d) => <input id={id} aria-describedby={d} type="number" min={0} value={rule.delay?.amount ?? 30} onChange={(e) => onChange(changeRetry(step, o, { amount: Number(e.target.value) }))} />}
                </Field>
                <Field label={`Wait unit after ${word(o)}`}>
                  {(id) => (
                    <select id={id} value={rule.delay?.unit ?? "minutes"} onChange={(e) => onChange(changeRetry(step, o, { unit: e.target.value as "minutes" | "hours" | "days" }))}>
                      <option value="minutes">minutes</option>
                      <option value="hours">hours</option>
                      <option value="days">days</option>
                    </select>
                  )}
                </Field>
              </>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

const SAMPLE = { phone: "+12125550123", first_name: "Ada", last_name: "Lovelace", email: "ada@example.com", timezone: "America/New_York" };

/** The message as the sample contact would get it (SMS: encoding and segments; missing variables named). */
function Preview({ step }: { step: Step & { kind: "sms" | "email" } }) {
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const body = step.body;
  const subject = step.kind === "email" ? step.subject : null;
  useEffect(() => {
    const timer = setTimeout(async () => {
      const { data, error } = await api.POST("/api/v1/templates/preview", { body: { channel: step.kind, body, subject, contact: SAMPLE } });
      if (data) {
        const sms = step.kind === "sms" ? ` (${data.encoding}, ${data.segments} segment${data.segments === 1 ? "" : "s"})` : "";
        setText(`${data.subject ? `${data.subject} — ` : ""}${data.body}${sms}`);
        setProblem(undefined);
      } else setProblem(Object.values(fieldErrors(error)).join("; "));
    }, 300);
    return () => clearTimeout(timer);
  }, [step.kind, body, subject]);
  return (
    <div className="preview" aria-live="polite">
      <strong>Preview for Ada Lovelace:</strong> {problem ? <span className="error">{problem}</span> : text}
    </div>
  );
}
