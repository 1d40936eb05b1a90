import { useCallback, useEffect, useState } from "react";
import { api, type Campaign, type Overview, type Schemas } from "../api/client";
import { Confirm } from "../components/Confirm";
import { Field, FormError } from "../components/Field";
import { usePages } from "../components/Pager";
import { Table } from "../components/Table";
import { fieldErrors } from "../lib/errors";
import { allZones, inZone, instantIn, operatorZone } from "../lib/time";

type Action = "start" | "pause" | "resume" | "stop";

export function OverviewSection({ campaign, onChange }: { campaign: Campaign; onChange: (c: Campaign) => void }) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [problem, setProblem] = useState<string | undefined>();
  const [stopping, setStopping] = useState(false);
  const [when, setWhen] = useState({ date: "", time: "09:00", zone: operatorZone() });
  const id = campaign.id;

  const load = useCallback(async () => {
    const { data } = await api.GET("/api/v1/campaigns/{campaign_id}/overview", { params: { path: { campaign_id: id } } });
    if (data) setOverview(data);
  }, [id]);
  useEffect(() => {
    void load();
    const timer = setInterval(load, 3000); // live: the figures move while the campaign runs
    return () => clearInterval(timer);
  }, [load]);

  const act = async (action: Action, at?: string) => {
    setProblem(undefined);
    const path = { params: { path: { campaign_id: id } } };
    const result =
      action === "start" ? await api.POST("/api/v1/campaigns/{campaign_id}/start", { ...path, body: at ? { at } : null })
      : action === "pause" ? await api.POST("/api/v1/campaigns/{campaign_id}/pause", path)
      : action === "resume" ? await api.POST("/api/v1/campaigns/{campaign_id}/resume", path)
      : await api.POST("/api/v1/campaigns/{campaign_id}/stop", path);
    if (result.data) onChange(result.data as Campaign);
    else setProblem(Object.values(fieldErrors(result.error)).join("; "));
    void load();
  };
  const status = campaign.status ?? "draft";

  return (
    <section aria-label="Overview">
      <div className="actions">
        {(status === "draft" || status === "scheduled") && <button type="button" onClick={() => act("start")}>Start</button>}
        {status === "active" && <button type="button" onClick={() => act("pause")}>Pause</button>}
        {status === "paused" && <button type="button" onClick={() => act("resume")}>Resume</button>}
        {["active", "paused", "scheduled"].includes(status) && <button type="button" className="danger" onClick={() => setStopping(true)}>Stop</button>}
      </div>
      {status === "draft" && (
        <fieldset>
          <legend>Schedule Start</legend>
          <div className="row">
            <Field label="Start date">{(fid) => <input id={fid} type="date" value={when.date} onChange={(e) => setWhen({ ...when, date: e.target.value })} />}</Field>
            <Field label="Start at">{(fid) => <input id={fid} type="time" value={when.time} onChange={(e) => setWhen({ ...when, time: e.target.value })} />}</Field>
            <Field label="Time zone">
              {(fid) => (
                <select id={fid} value={when.zone} onChange={(e) => setWhen({ ...when, zone: e.target.value })}>
                  {allZones().map((z) => <option key={z} value={z}>{z}</option>)}
                </select>
              )}
            </Field>
          </div>
          <button type="button" disabled={!when.date} onClick={() => act("start", instantIn(when.date, when.time, when.zone))}>Schedule Start</button>
        </fieldset>
      )}
      {campaign.starts_at && status === "scheduled" && <p>Starts {inZone(campaign.starts_at, operatorZone())}</p>}
      <FormError message={problem} />
      <Figures overview={overview} campaign={campaign} />
      {overview && <Funnel overview={overview} />}
      <Contacts campaignId={id} />
      <Confirm open={stopping} title="Stop campaign" text="Stopping ends the campaign for good: every contact still queued exits as stopped." confirm="Stop campaign"
        onCancel={() => setStopping(false)} onConfirm={() => (setStopping(false), void act("stop"))} />
    </section>
  );
}

function Figures({ overview, campaign }: { overview: Overview | null; campaign: Campaign }) {
  const o = overview;
  const figures: [string, number | string][] = [
    ["Total contacts", o?.total ?? 0],
    ["Queued", o?.queued ?? 0],
    ["Active", o?.active ?? 0],
    ["Errored", o?.errored ?? 0],
    ["Exited", o?.exited ?? 0],
    ["Started on", inZone(o?.started_on ?? campaign.started_at, operatorZone())],
  ];
  return (
    <>
      <dl className="figures" aria-label="Campaign figures">
        {figures.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd aria-label={label}>{value}</dd>
          </div>
        ))}
      </dl>
      {o && (
        <ul aria-label="Exited by reason" className="reasons">
          {Object.entries(o.exited_by_reason).map(([reason, n]) => <li key={reason}>{reason.replace("_", " ")}: {n}</li>)}
        </ul>
      )}
    </>
  );
}

function Funnel({ overview }: { overview: Overview }) {
  const steps = Object.entries(overview.funnel_by_step);
  const hours = Object.entries(overview.funnel_by_hour ?? {}).slice(-48);
  const peak = Math.max(1, ...hours.map(([, f]) => f.attempts ?? 0));
  const zone = operatorZone();
  return (
    <>
      <h2>Funnel per step</h2>
      <Table label="Funnel per step" columns={["Step", "Attempts", "Answered", "Voicemail", "No answer", "Delivered"]}>
        {steps.map(([step, f]) => (
          <tr key={step}><td>{Number(step) + 1}</td><td>{f.attempts ?? 0}</td><td>{f.answered_human ?? 0}</td><td>{f.voicemail ?? 0}</td><td>{f.no_answer ?? 0}</td><td>{f.delivered ?? 0}</td></tr>
        ))}
      </Table>
      <h2>Attempts and outcomes per hour</h2>
      <ul className="chart" aria-label="Attempts and outcomes per hour">
        {hours.map(([hour, f]) => (
          <li key={hour}>
            <span>{inZone(`${hour}:00:00Z`, zone)}</span>
            <span className="bar" style={{ width: `${(100 * (f.attempts ?? 0)) / peak}%` }} />
            <span>
              {f.attempts ?? 0} attempts: {f.answered_human ?? 0} answered, {f.voicemail ?? 0} voicemail, {f.no_answer ?? 0} no answer
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

type Row = Schemas["ContactRow"];
const STATES = ["", "queued", "active", "exited", "errored", "completed"] as const;

function Contacts({ campaignId }: { campaignId: string }) {
  const [state, setState] = useState<(typeof STATES)[number]>("");
  const [rows, setRows] = useState<Row[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const paging = usePages();
  const after = paging.after;
  useEffect(() => {
    void api.GET("/api/v1/campaigns/{campaign_id}/contacts", {
      params: { path: { campaign_id: campaignId }, query: { limit: 25, ...(state ? { state: [state] } : {}), ...(after ? { after } : {}) } },
    }).then(({ data }) => {
      setRows(data?.items ?? []);
      setNext(data?.next ?? null);
    });
  }, [campaignId, state, after]);
  return (
    <section aria-label="Campaign contacts">
      <h2>Contacts</h2>
      <Field label="State">
        {(fid) => (
          <select id={fid} value={state} onChange={(e) => (setState(e.target.value as (typeof STATES)[number]), paging.reset())}>
            {STATES.map((s) => <option key={s} value={s}>{s || "Any state"}</option>)}
          </select>
        )}
      </Field>
      <Table label="Contacts" columns={["Phone", "State", "Step", "Attempts", "Next due (contact's time)", "Exit or error reason"]}>
        {rows.map((r) => (
          <tr key={r.contact_id}><td>{r.phone}</td><td>{r.state}</td><td>{r.step_index + 1}</td><td>{r.attempt}</td><td>{inZone(r.due_at, r.timezone)}</td><td>{r.reason ?? ""}</td></tr>
        ))}
      </Table>
      {paging.controls(next)}
    </section>
  );
}
