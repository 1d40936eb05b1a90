import { api, type Schemas } from "../api/client";
import { ChoiceField, FormError, TextField, type Choice } from "../components/Field";
import { Page } from "../components/Page";
import { Table } from "../components/Table";
import { useForm } from "../components/useForm";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";

type Agent = Schemas["AgentView"];
type Kind = "twiml" | "sip" | "stream";
const KINDS: Choice<Kind>[] = [{ id: "twiml", name: "TwiML URL" }, { id: "sip", name: "SIP URI" }, { id: "stream", name: "Media stream" }];
const LIST = () => api.GET("/api/v1/agents");
const EMPTY = { id: "", name: "", kind: "twiml" as Kind, address: "" };

export function AgentsPage() {
  const { values: form, field, reset } = useForm(EMPTY);
  const [agents, load] = useList<Agent>(LIST);
  const send = () => api.PUT("/api/v1/agents/{agent_id}", { params: { path: { agent_id: form.id || "-" } }, body: form });
  const [errors, save] = useSubmit(send, reset, load);
  const remove = (id: string) => thenReload(api.DELETE("/api/v1/agents/{agent_id}", { params: { path: { agent_id: id } } }), load);
  return (
    <Page title="Agents">
      <form onSubmit={save} aria-label="Add or replace an agent">
        <div className="row">
          <TextField label="Agent id" error={errorFor(errors, "id")} value={form.id} onChange={field("id")} />
          <TextField label="Agent name" error={errorFor(errors, "name")} value={form.name} onChange={field("name")} />
          <ChoiceField label="Kind" value={form.kind} onChange={field("kind")} options={KINDS} />
          <TextField label="Address" error={errorFor(errors, "address")} value={form.address} onChange={field("address")} />
        </div>
        <FormError message={errors[""]} />
        <button type="submit">Save agent</button>
      </form>
      <Table label="Agents" columns={["Id", "Name", "Kind", "Address", "Remove"]}>
        {agents.map((a) => (
          <tr key={a.id}><td>{a.id}</td><td>{a.name}</td><td>{a.kind}</td><td>{a.address}</td>
            <td><button type="button" aria-label={`Remove ${a.id}`} onClick={() => remove(a.id)}>Remove</button></td></tr>
        ))}
      </Table>
    </Page>
  );
}
