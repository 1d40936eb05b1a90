import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, Field, FormError, type Choice } from "../components/Field";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";

type Agent = Schemas["AgentView"];
type Kind = "twiml" | "sip" | "stream";
const KINDS: Choice<Kind>[] = [{ id: "twiml", name: "TwiML URL" }, { id: "sip", name: "SIP URI" }, { id: "stream", name: "Media stream" }];
const LIST = () => api.GET("/api/v1/agents");
const EMPTY = { id: "", name: "", kind: "twiml" as Kind, address: "" };

export function AgentsPage() {
  const [form, setForm] = useState(EMPTY);
  const [agents, load] = useList<Agent>(LIST);
  const send = () => api.PUT("/api/v1/agents/{agent_id}", { params: { path: { agent_id: form.id || "-" } }, body: form });
  const [errors, save] = useSubmit(send, () => setForm(EMPTY), load);
  const remove = (id: string) => thenReload(api.DELETE("/api/v1/agents/{agent_id}", { params: { path: { agent_id: id } } }), load);
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <form onSubmit={save} aria-label="Add or replace an agent">
        <div className="row">
          <Field label="Agent id" error={errorFor(errors, "id")}>{(id, d) => <input id={id} aria-describedby={d} value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} />}</Field>
          <Field label="Agent name" error={errorFor(errors, "name")}>{(id, d) => <input id={id} aria-describedby={d} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}</Field>
          <ChoiceField label="Kind" value={form.kind} onChange={(kind) => setForm({ ...form, kind })} options={KINDS} />
          <Field label="Address" error={errorFor(errors, "address")}>{(id, d) => <input id={id} aria-describedby={d} value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} />}</Field>
        </div>
        <FormError message={errors[""]} />
        <button type="submit">Save agent</button>
      </form>
      <table aria-label="Agents">
        <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Address</th><th scope="col">Remove</th></tr></thead>
        <tbody>
          {agents.map((a) => (
            <tr key={a.id}><td>{a.id}</td><td>{a.name}</td><td>{a.kind}</td><td>{a.address}</td>
              <td><button type="button" aria-label={`Remove ${a.id}`} onClick={() => remove(a.id)}>Remove</button></td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
