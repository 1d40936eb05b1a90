import { useEffect, useState } from "react";
import { api, type Campaign, type ContactWindow, type Schemas } from "../api/client";
import { Field, FormError, TextField } from "../components/Field";
import { Table } from "../components/Table";
import { useSaving } from "../components/useSaving";
import { errorFor } from "../lib/errors";
import { allZones, inZone, operatorZone } from "../lib/time";
import { addBlackout, DAYS, removeBlackout, toggleDay, togglePreset, US_STATES, windowProblems } from "../lib/window";
import type { Save } from "../pages/CampaignPage";

export function WindowSection({ campaign, save }: { campaign: Campaign; save: Save }) {
  const [window, setWindow] = useState<ContactWindow>(campaign.spec.window!);
  const [blackout, setBlackout] = useState("");
  const [state, setState] = useState("");
  const { errors, saved, submit } = useSaving(save);
  const zones = allZones();

  const zone = window.timezone ?? { primary: "contact", fallback: "America/New_York" };

  return (
    <form aria-label="Contact window" onSubmit={(e) => (e.preventDefault(), void submit({ window }, windowProblems(window)))}>
      <fieldset>
        <legend>Days</legend>
        {DAYS.map(([day, label]) => (
          <label key={day} className="inline">
            <input type="checkbox" checked={window.days.includes(day)} onChange={() => setWindow(toggleDay(window, day))} />
            {label}
          </label>
        ))}
        <FormError message={errorFor(errors, "window.days")} />
      </fieldset>
      <div className="row">
        <TextField label="Start time" error={errorFor(errors, "window.start")} type="time" value={window.start ?? "09:00"} onChange={(start) => setWindow({ ...window, start })} />
        <TextField label="End time" error={errorFor(errors, "window.end")} type="time" value={window.end === "24:00" ? "23:59" : (window.end ?? "19:00")} onChange={(end) => setWindow({ ...window, end })} />
      </div>
      <div className="row">
        <Field label="Primary timezone" error={errorFor(errors, "window.timezone.primary")}>
          {(id, d) => (
            <>
              <input id={id} aria-describedby={d} list="zones-primary" value={zone.primary === "contact" ? "Contact's Local Timezone" : zone.primary}
                onChange={(e) => setWindow({ ...window, timezone: { ...zone, primary: e.target.value === "Contact's Local Timezone" ? "contact" : e.target.value } })} />
              <datalist id="zones-primary">
                <option value="Contact's Local Timezone" />
                {zones.map((z) => <option key={z} value={z} />)}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Fallback timezone" error={errorFor(errors, "window.timezone.fallback")}>
          {(id, d) => (
            <>
              <input id={id} aria-describedby={d} list="zones-fallback" value={zone.fallback ?? ""} onChange={(e) => setWindow({ ...window, timezone: { ...zone, fallback: e.target.value } })} />
              <datalist id="zones-fallback">{zones.map((z) => <option key={z} value={z} />)}</datalist>
            </>
          )}
        </Field>
      </div>
      <fieldset>
        <legend>Blackout dates</legend>
        <ul>
          {(window.blackout_dates ?? []).map((date) => (
            <li key={date}>
              {date}{" "}
              <button type="button" aria-label={`Remove ${date}`} onClick={() => setWindow(removeBlackout(window, date))}>Remove</button>
            </li>
          ))}
        </ul>
        <Field label="Blackout date">
          {(id) => <input id={id} type="date" value={blackout} onChange={(e) => setBlackout(e.target.value)} />}
        </Field>
        <button type="button" onClick={() => (setWindow(addBlackout(window, blackout)), setBlackout(""))}>Add blackout date</button>
        <FormError message={errorFor(errors, "window.blackout_dates")} />
      </fieldset>
      <fieldset>
        <legend>Holiday presets</legend>
        <label className="inline">
          <input type="checkbox" checked={(window.holiday_presets ?? []).includes("us_federal")} onChange={() => setWindow(togglePreset(window, "us_federal"))} />
          U.S. Federal Holidays
        </label>
        {(window.holiday_presets ?? []).filter((p) => p.startsWith("us_state:")).map((p) => (
          <label key={p} className="inline">
            <input type="checkbox" checked onChange={() => setWindow(togglePreset(window, p))} />
            {p.slice(9)} state holidays
          </label>
        ))}
        <Field label="State holidays">
          {(id) => (
            <select id={id} value={state} onChange={(e) => { if (e.target.value) setWindow(togglePreset(window, `us_state:${e.target.value}`)); setState(""); }}>
              <option value="">Add a state…</option>
              {US_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          )}
        </Field>
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={window.compliance !== "none"} onChange={(e) => setWindow({ ...window, compliance: e.target.checked ? "us_tcpa" : "none" })} />
        U.S. calling rules (federal 8 a.m.–9 p.m. and state limits)
      </label>
      <FormError message={errors[""]} />
      <button type="submit">Save contact window</button>
      {saved && <p role="status">Saved.</p>}
      <FirstReach campaign={campaign} />
    </form>
  );
}

type Row = Schemas["FirstReachRow"];

/** For a sample of the campaign's queued contacts: when each would first be reached on the saved window, in
 * the contact's time and the operator's. */
function FirstReach({ campaign }: { campaign: Campaign }) {
  const [rows, setRows] = useState<Row[]>([]);
  useEffect(() => {
    void api.GET("/api/v1/campaigns/{campaign_id}/first-reach", { params: { path: { campaign_id: campaign.id }, query: { limit: 10 } } })
      .then(({ data }) => setRows(data ?? []));
  }, [campaign]);
  if (rows.length === 0) return <p>When contacts are imported, a sample of them shows here with the time each will first be reached.</p>;
  const mine = operatorZone();
  return (
    <Table label="First reach" columns={["Phone", "Contact's time", "Your time"]}>
      {rows.map((r) => (
        <tr key={r.contact_id}><td>{r.phone}</td><td>{r.first_at ? inZone(r.first_at, r.timezone) : "No eligible time"}</td><td>{r.first_at ? inZone(r.first_at, mine) : "—"}</td></tr>
      ))}
    </Table>
  );
}
