import { useEffect, useState } from "react";
import { api, type Campaign, type Schemas } from "../api/client";
import { Field, FormError } from "../components/Field";
import { useSaving } from "../components/useSaving";
import { errorFor } from "../lib/errors";
import type { Save } from "../pages/CampaignPage";

type Numbers = Schemas["NumberSelection"];
type Exit = Schemas["ExitCriteria"];
type Owned = { number: string; tags: string[] };

export function NumbersSection({ campaign, save }: { campaign: Campaign; save: Save }) {
  const [numbers, setNumbers] = useState<Numbers>(campaign.spec.numbers ?? { numbers: [], tags: [] });
  const [exit, setExit] = useState<Exit>(campaign.spec.exit_criteria ?? {});
  const [owned, setOwned] = useState<Owned[]>([]);
  const { errors, saved, submit } = useSaving(save);
  useEffect(() => {
    void api.GET("/api/v1/numbers").then(({ data }) =>
      setOwned((data ?? []).map((n) => ({ number: String(n.number), tags: Array.isArray(n.tags) ? n.tags.map(String) : [] }))),
    );
  }, []);
  const tags = [...new Set(owned.flatMap((n) => n.tags))].sort();
  const toggle = (list: string[] | undefined, value: string) => ((list ?? []).includes(value) ? (list ?? []).filter((x) => x !== value) : [...(list ?? []), value]);

  return (
    <form aria-label="Numbers and exit criteria" onSubmit={(e) => (e.preventDefault(), void submit({ numbers, exit_criteria: exit }))}>
      <fieldset>
        <legend>Select from numbers</legend>
        {owned.length === 0 && <p>No numbers in this workspace yet: calls use the default caller id.</p>}
        {owned.map((n) => (
          <label key={n.number} className="inline">
            <input type="checkbox" checked={(numbers.numbers ?? []).includes(n.number)} onChange={() => setNumbers({ ...numbers, numbers: toggle(numbers.numbers, n.number) })} />
            {n.number}
          </label>
        ))}
        {tags.length > 0 && <p>Or every number tagged:</p>}
        {tags.map((t) => (
          <label key={t} className="inline">
            <input type="checkbox" checked={(numbers.tags ?? []).includes(t)} onChange={() => setNumbers({ ...numbers, tags: toggle(numbers.tags, t) })} />
            {t}
          </label>
        ))}
        <label className="inline">
          <input type="checkbox" checked={numbers.local_presence ?? true} onChange={(e) => setNumbers({ ...numbers, local_presence: e.target.checked })} />
          Local presence (call and text from a number in the contact's area code, else state, else country)
        </label>
        <FormError message={errorFor(errors, "numbers")} />
      </fieldset>
      <fieldset>
        <legend>Exit criteria</legend>
        <label className="inline">
          <input type="checkbox" checked={exit.answered ?? true} onChange={(e) => setExit({ ...exit, answered: e.target.checked })} />
          Exit when answered
        </label>
        <label className="inline">
          <input type="checkbox" checked={exit.voicemail_counts_as_answered ?? false} onChange={(e) => setExit({ ...exit, voicemail_counts_as_answered: e.target.checked })} />
          A voicemail counts as answered
        </label>
        <label className="inline">
          <input type="checkbox" checked={exit.opted_out ?? true} disabled />
          Exit when opted out (always)
        </label>
        <Field label="Unreachable after failures" error={errorFor(errors, "exit_criteria.unreachable_after_failures")}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} value={exit.unreachable_after_failures ?? 3} onChange={(e) => setExit({ ...exit, unreachable_after_failures: Number(e.target.value) })} />}
        </Field>
        <Field label="Attempts at most" error={errorFor(errors, "exit_criteria.max_attempts")}>
          {(id, d) => <input id={id} aria-describedby={d} type="number" min={1} value={exit.max_attempts ?? 10} onChange={(e) => setExit({ ...exit, max_attempts: Number(e.target.value) })} />}
        </Field>
      </fieldset>
      <FormError message={errors[""]} />
      <button type="submit">Save numbers and exit criteria</button>
      {saved && <p role="status">Saved.</p>}
    </form>
  );
}
