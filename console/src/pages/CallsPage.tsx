import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, Field } from "../components/Field";
import { Page } from "../components/Page";
import { usePages } from "../components/Pager";
import { Table } from "../components/Table";
import { inZone, operatorZone } from "../lib/time";

type Call = Schemas["CallView"];
const OUTCOMES = ["", "answered_human", "voicemail", "no_answer", "busy", "failed", "canceled"].map((id) => ({ id, name: id ? id.replace("_", " ") : "Any outcome" }));

export function CallsPage() {
  const [outcome, setOutcome] = useState("");
  const [campaign, setCampaign] = useState("");
  const [calls, setCalls] = useState<Call[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [open, setOpen] = useState<Call | null>(null);
  const paging = usePages();
  const after = paging.after;
  useEffect(() => {
    const query = { limit: 25, ...(outcome ? { outcome } : {}), ...(campaign ? { campaign_id: campaign } : {}), ...(after ? { after } : {}) };
    void api.GET("/api/v1/calls", { params: { query } }).then(({ data }) => {
      setCalls(data?.items ?? []);
      setNext(data?.next ?? null);
    });
  }, [outcome, campaign, after]);
  const zone = operatorZone();
  return (
    <Page title="Call history">
      <div className="row">
        <ChoiceField label="Outcome" value={outcome} onChange={(o) => (setOutcome(o), paging.reset())} options={OUTCOMES} />
        <Field label="Campaign id">{(id) => <input id={id} value={campaign} onChange={(e) => (setCampaign(e.target.value.trim()), paging.reset())} />}</Field>
      </div>
      <Table label="Calls" columns={["Queued", "To", "Outcome", "Duration", "Number used", "Agent", "Details"]}>
        {calls.map((c) => (
          <tr key={c.idempotency_key}>
            <td>{inZone(c.queued_at, zone)}</td><td>{c.phone}</td><td>{c.outcome ?? c.status}</td><td>{c.duration_s ?? 0} s</td><td>{c.from_number ?? ""}</td><td>{c.agent_id ?? ""}</td>
            <td><button type="button" onClick={() => setOpen(c)} aria-label={`Open call to ${c.phone}`}>Open</button></td>
          </tr>
        ))}
      </Table>
      {paging.controls(next)}
      {open && <CallDetails call={open} onClose={() => setOpen(null)} />}
    </Page>
  );
}

function CallDetails({ call, onClose }: { call: Call; onClose: () => void }) {
  const zone = operatorZone();
  return (
    <section aria-label="Call details" className="panel">
      <h2>Call to {call.phone}</h2>
      <dl>
        <dt>Status</dt><dd>{call.status}</dd>
        <dt>Outcome</dt><dd>{call.outcome ?? "—"}</dd>
        <dt>Duration</dt><dd>{call.duration_s ?? 0} s</dd>
        <dt>Number used</dt><dd>{call.from_number ?? "—"}</dd>
        <dt>Agent</dt><dd>{call.agent_id ?? "—"}</dd>
        <dt>Campaign</dt><dd>{call.campaign_id}</dd>
      </dl>
      <h3>Status trail</h3>
      <ol aria-label="Status trail">{call.trail?.map((t, i) => <li key={i}>{t.status} at {inZone(t.at, zone)}</li>)}</ol>
      {call.recording_url && (
        <audio controls src={call.recording_url} aria-label="Recording">
          <a href={call.recording_url}>Recording</a>
        </audio>
      )}
      {call.analysis && <p>Agent's report: {String(call.analysis.disposition ?? "")} {String(call.analysis.summary ?? "")}</p>}
      <button type="button" onClick={onClose}>Close</button>
    </section>
  );
}
