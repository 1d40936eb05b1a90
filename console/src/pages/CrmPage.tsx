import { useEffect, useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, Field, FormError, TextField } from "../components/Field";
import { Page } from "../components/Page";
import { Table } from "../components/Table";
import { thenReload, useErrors, useList } from "../components/useList";
import { errorFor } from "../lib/errors";
import { inZone, operatorZone } from "../lib/time";

type Connection = Schemas["Connection"];
type Feed = Schemas["Feed"];
type Sync = Schemas["Sync"];
type SyncRecord = Schemas["SyncRecord"];
type CampaignRow = { id: string; name: string };

const CONNECTIONS = () => api.GET("/api/v1/crm/connections");
const FEEDS = () => api.GET("/api/v1/crm/feeds");

/** What the OAuth callback said when it sent the person back here (`#/crm?connected=...` or `?problem=...`). */
function landing(): { connected?: string; problem?: string } {
  const query = new URLSearchParams(window.location.hash.split("?")[1] ?? "");
  return { connected: query.get("connected") ?? undefined, problem: query.get("problem") ?? undefined };
}

export function CrmPage() {
  const [connections, loadConnections] = useList<Connection>(CONNECTIONS);
  const [feeds, loadFeeds] = useList<Feed>(FEEDS);
  const [shown, setShown] = useState<string | null>(null);
  const back = landing();
  return (
    <Page title="CRM">
      {back.connected && <p role="status">HubSpot connected.</p>}
      {back.problem && <p role="alert">HubSpot was not connected: {back.problem}</p>}
      <Connections connections={connections} reload={loadConnections} />
      <Feeds connections={connections} feeds={feeds} reload={loadFeeds} show={setShown} />
      {shown && <SyncReport syncId={shown} onDone={() => void loadFeeds()} />}
    </Page>
  );
}

type Kind = "hubspot" | "gohighlevel" | "monday" | "salesforce" | "leaddocket";
const KINDS: { id: Kind; label: string }[] = [
  { id: "hubspot", label: "HubSpot" },
  { id: "salesforce", label: "Salesforce" },
  { id: "gohighlevel", label: "GoHighLevel" },
  { id: "monday", label: "monday.com" },
  { id: "leaddocket", label: "Lead Docket" },
];
const TOKEN: Record<Kind, string> = { hubspot: "Private app token", gohighlevel: "Private integration token", monday: "API token", salesforce: "", leaddocket: "API key" };

function Connections({ connections, reload }: { connections: Connection[]; reload: () => Promise<void> }) {
  const [kind, setKind] = useState<Kind>("hubspot");
  const [name, setName] = useState("HubSpot");
  const [token, setToken] = useState("");
  const [location, setLocation] = useState("");
  const [optOut, setOptOut] = useState("");
  const [firmUrl, setFirmUrl] = useState("");
  const [afterCall, setAfterCall] = useState("");
  const [errors, accept] = useErrors();
  const connect = async (event: FormEvent) => {
    event.preventDefault();
    const body = { kind, name, token, ...(kind === "gohighlevel" ? { location_id: location } : {}), ...(optOut ? { opt_out_property: optOut } : {}), ...(kind === "leaddocket" ? { base_url: firmUrl, ...(afterCall ? { status_after_call: afterCall } : {}) } : {}) };
    const made = accept(await api.POST("/api/v1/crm/connections", { body }));
    if (made) setToken("");
    void reload();
  };
  const oauth = async (crm: "hubspot" | "salesforce" | "gohighlevel" | "monday") => {
    const started = accept(await api.GET("/api/v1/crm/oauth/{kind}/start", { params: { path: { kind: crm }, query: { name } } }));
    if (started) window.location.assign(started.authorize_url);
  };
  const check = async (id: string) => {
    await api.POST("/api/v1/crm/connections/{connection_id}/check", { params: { path: { connection_id: id } } });
    void reload();
  };
  const remove = (id: string) => thenReload(api.DELETE("/api/v1/crm/connections/{connection_id}", { params: { path: { connection_id: id } } }), reload);
  const zone = operatorZone();
  return (
    <>
      <h2>Connections</h2>
      <form aria-label="Connect a CRM" onSubmit={connect}>
        <div className="row">
          <Field label="CRM">
            {(id) => (
              <select id={id} value={kind} onChange={(e) => { const k = e.target.value as Kind; setKind(k); setName(KINDS.find((x) => x.id === k)!.label); }}>
                {KINDS.map((k) => <option key={k.id} value={k.id}>{k.label}</option>)}
              </select>
            )}
          </Field>
          <TextField label="Connection name" error={errorFor(errors, "name")} value={name} onChange={setName} />
          {kind !== "salesforce" && <TextField label={TOKEN[kind]} error={errorFor(errors, "token")} type="password" autoComplete="off" value={token} onChange={setToken} />}
          {kind === "gohighlevel" && <TextField label="Location ID" error={errorFor(errors, "location_id")} value={location} onChange={setLocation} />}
          {kind === "leaddocket" && (
            <>
              <TextField label="Firm URL" error={errorFor(errors, "base_url")} placeholder="https://yourfirm.leaddocket.com" value={firmUrl} onChange={setFirmUrl} />
              <TextField label="Status after an answered call" value={afterCall} onChange={setAfterCall} />
            </>
          )}
          {(kind === "hubspot" || kind === "monday") && <TextField label={kind === "monday" ? "Do-not-call column" : "Do-not-call property"} error={errorFor(errors, "opt_out_property")} placeholder={kind === "monday" ? "column id" : "do_not_call"} value={optOut} onChange={setOptOut} />}
        </div>
        <FormError message={errors[""]} />
        {kind !== "salesforce" && <button type="submit">Connect with token</button>}{" "}
        {kind === "hubspot" && <button type="button" onClick={() => void oauth("hubspot")}>Connect with HubSpot sign-in</button>}
        {kind === "salesforce" && <button type="button" onClick={() => void oauth("salesforce")}>Connect with Salesforce sign-in</button>}
        {kind === "gohighlevel" && <button type="button" onClick={() => void oauth("gohighlevel")}>Connect with GoHighLevel sign-in</button>}
        {kind === "monday" && <button type="button" onClick={() => void oauth("monday")}>Connect with monday.com sign-in</button>}
      </form>
      <Table label="CRM connections" columns={["Name", "CRM", "Sign-in", "Status", "Problem", "Checked", "Webhooks to", "Actions"]}>
        {connections.map((c) => (
          <tr key={c.id}>
            <td>{c.name}</td><td>{c.kind}</td><td>{c.auth}</td><td>{c.status}</td><td>{c.problem ?? "—"}</td><td>{inZone(c.checked_at, zone)}</td><td>{c.webhook_url ?? "—"}</td>
            <td>
              <button type="button" aria-label={`Check ${c.name}`} onClick={() => void check(c.id)}>Check</button>{" "}
              <button type="button" className="danger" aria-label={`Disconnect ${c.name}`} onClick={() => void remove(c.id)}>Disconnect</button>
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

function Feeds(props: { connections: Connection[]; feeds: Feed[]; reload: () => Promise<void>; show: (syncId: string) => void }) {
  const [campaigns, setCampaigns] = useState<CampaignRow[]>([]);
  const [connection, setConnection] = useState("");
  const [campaign, setCampaign] = useState("");
  const [listId, setListId] = useState("");
  const [tag, setTag] = useState("");
  const [pipeline, setPipeline] = useState("");
  const [stage, setStage] = useState("");
  const [board, setBoard] = useState("");
  const [sfObject, setSfObject] = useState("Contact");
  const [where, setWhere] = useState("");
  const [sfCampaign, setSfCampaign] = useState("");
  const [listView, setListView] = useState("");
  const [ldStatus, setLdStatus] = useState("");
  const [caseType, setCaseType] = useState("");
  const [group, setGroup] = useState("");
  const [phone, setPhone] = useState("");
  const [every, setEvery] = useState(0);
  const [errors, accept] = useErrors();
  useEffect(() => {
    void api.GET("/api/v1/campaigns", { params: { query: { limit: 200 } } }).then(({ data }) =>
      setCampaigns((data ?? []).map((c) => ({ id: c.id, name: c.spec.name }))),
    );
  }, []);
  const usable = props.connections.filter((c) => c.status === "connected");
  const chosenConnection = connection || usable[0]?.id || "";
  const chosenCampaign = campaign || campaigns[0]?.id || "";
  const kind = props.connections.find((c) => c.id === chosenConnection)?.kind ?? "hubspot";
  const given: Record<Kind, Record<string, string>> = { hubspot: { list_id: listId }, gohighlevel: { tag, pipeline_id: pipeline, stage_id: stage }, monday: { board_id: board, group_id: group }, salesforce: { object: sfObject, where, campaign_id: sfCampaign, list_view_id: listView }, leaddocket: { status: ldStatus, case_type: caseType } };
  const source = Object.fromEntries(Object.entries(given[kind as Kind] ?? {}).filter(([, v]) => v));
  const feed = async (event: FormEvent) => {
    event.preventDefault();
    const body = { connection_id: chosenConnection, campaign_id: chosenCampaign, source, ...(phone ? { mapping: { to_number: phone } } : {}), every_minutes: every };
    const made = accept(await api.POST("/api/v1/crm/feeds", { body }));
    if (made?.last_sync_id) props.show(made.last_sync_id);
    void props.reload();
  };
  const syncNow = async (id: string, full: boolean) => {
    const started = accept(await api.POST("/api/v1/crm/feeds/{feed_id}/sync", { params: { path: { feed_id: id }, query: { full } } }));
    if (started) props.show(started.id);
    void props.reload();
  };
  const names = Object.fromEntries(campaigns.map((c) => [c.id, c.name]));
  return (
    <>
      <h2>Campaign feeds</h2>
      <form aria-label="Feed a campaign from a CRM" onSubmit={feed}>
        <div className="row">
          <ChoiceField label="Connection" error={errorFor(errors, "connection_id")} value={chosenConnection} onChange={setConnection} options={usable} />
          <ChoiceField label="Campaign to feed" error={errorFor(errors, "campaign_id")} value={chosenCampaign} onChange={setCampaign} options={campaigns} />
          {kind === "hubspot" && <TextField label="HubSpot list ID" error={errorFor(errors, "source.list_id") ?? errorFor(errors, "source")} value={listId} onChange={setListId} />}
          {kind === "gohighlevel" && (
            <>
              <TextField label="Tag" error={errorFor(errors, "source")} value={tag} onChange={setTag} />
              <Field label="Or pipeline ID">{(id) => <input id={id} value={pipeline} onChange={(e) => setPipeline(e.target.value)} />}</Field>
              <Field label="Stage ID">{(id) => <input id={id} value={stage} onChange={(e) => setStage(e.target.value)} />}</Field>
            </>
          )}
          {kind === "salesforce" && (
            <>
              <Field label="Object">
                {(id) => (
                  <select id={id} value={sfObject} onChange={(e) => setSfObject(e.target.value)}>
                    <option value="Contact">Contact</option>
                    <option value="Lead">Lead</option>
                  </select>
                )}
              </Field>
              <TextField label="SOQL filter" error={errorFor(errors, "source")} placeholder="LeadSource = 'Web'" value={where} onChange={setWhere} />
              <Field label="Or Salesforce campaign ID">{(id) => <input id={id} value={sfCampaign} onChange={(e) => setSfCampaign(e.target.value)} />}</Field>
              <Field label="Or list view ID">{(id) => <input id={id} value={listView} onChange={(e) => setListView(e.target.value)} />}</Field>
            </>
          )}
          {kind === "leaddocket" && (
            <>
              <TextField label="Lead status" error={errorFor(errors, "source.status") ?? errorFor(errors, "source")} value={ldStatus} onChange={setLdStatus} />
              <Field label="Case type">{(id) => <input id={id} value={caseType} onChange={(e) => setCaseType(e.target.value)} />}</Field>
            </>
          )}
          {kind === "monday" && (
            <>
              <TextField label="Board ID" error={errorFor(errors, "source.board_id") ?? errorFor(errors, "source")} value={board} onChange={setBoard} />
              <Field label="Group ID">{(id) => <input id={id} value={group} onChange={(e) => setGroup(e.target.value)} />}</Field>
            </>
          )}
          <TextField label={kind === "monday" ? "Phone column" : kind === "salesforce" ? "Phone field" : "Phone property"} error={errorFor(errors, "mapping.to_number")} placeholder={kind === "salesforce" || kind === "leaddocket" ? "Phone" : "phone"} value={phone} onChange={setPhone} />
          <Field label="Sync every (minutes, 0: on demand)" error={errorFor(errors, "every_minutes")}>{(id, d) => <input id={id} aria-describedby={d} type="number" min={0} value={every} onChange={(e) => setEvery(Number(e.target.value))} />}</Field>
        </div>
        <FormError message={errors[""]} />
        <button type="submit" disabled={!chosenConnection || !chosenCampaign}>Feed campaign</button>
      </form>
      <Table label="CRM feeds" columns={["Campaign", "Source", "Every (minutes)", "Last sync", "Actions"]}>
        {props.feeds.map((f) => (
          <tr key={f.id}>
            <td>{names[f.campaign_id] ?? f.campaign_id}</td><td>{Object.entries(f.source).map(([k, v]) => `${k.replace("_id", "")}: ${v}`).join(", ")}</td><td>{f.every_minutes || "on demand"}</td>
            <td>{f.last_status ?? "—"}{f.last_error ? `: ${f.last_error}` : ""}{f.push ? ` (push: ${f.push})` : ""}</td>
            <td>
              <button type="button" aria-label={`Sync now for ${names[f.campaign_id] ?? f.campaign_id}`} onClick={() => void syncNow(f.id, false)}>Sync now</button>{" "}
              <button type="button" aria-label={`Full sync of ${names[f.campaign_id] ?? f.campaign_id}`} onClick={() => void syncNow(f.id, true)}>Full sync</button>{" "}
              {f.last_sync_id && <button type="button" aria-label={`Report of ${names[f.campaign_id] ?? f.campaign_id}`} onClick={() => props.show(f.last_sync_id!)}>Report</button>}
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

/** A sync's figures, polled until it ends, then the records it did not import and why. */
function SyncReport({ syncId, onDone }: { syncId: string; onDone: () => void }) {
  const [sync, setSync] = useState<Sync | null>(null);
  const [records, setRecords] = useState<SyncRecord[]>([]);
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      const { data } = await api.GET("/api/v1/crm/syncs/{sync_id}", { params: { path: { sync_id: syncId } } });
      if (stop || !data) return;
      setSync(data);
      if (data.status === "completed" || data.status === "failed") {
        const found = await api.GET("/api/v1/crm/syncs/{sync_id}/records", { params: { path: { sync_id: syncId } } });
        setRecords(found.data ?? []);
        onDone();
      } else setTimeout(() => void poll(), 1000);
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [syncId, onDone]);
  if (!sync) return null;
  const figures: [string, number][] = [["Records read", sync.fetched], ["Imported", sync.imported ?? 0], ["Duplicates", sync.duplicates ?? 0], ["Invalid", sync.invalid ?? 0], ["On the do-not-call list", sync.suppressed ?? 0], ["Marked do-not-contact in the CRM", sync.crm_suppressed ?? 0]];
  return (
    <section aria-label="Sync report">
      <h2>Sync report</h2>
      <p role="status">{sync.mode === "full" ? "Full" : "Incremental"} sync {sync.status}{sync.error ? `: ${sync.error}` : ""}</p>
      <dl className="figures">
        {figures.map(([label, value]) => (
          <div key={label}><dt>{label}</dt><dd aria-label={label}>{value}</dd></div>
        ))}
      </dl>
      {records.length > 0 && (
        <Table label="Records not imported" columns={["Record", "Verdict", "Reason"]}>
          {records.map((r) => <tr key={`${r.record_id}-${r.status}`}><td>{r.record_id}</td><td>{r.status}</td><td>{r.reason ?? "—"}</td></tr>)}
        </Table>
      )}
    </section>
  );
}
