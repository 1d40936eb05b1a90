import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, FormError, TextField } from "../components/Field";
import { Page } from "../components/Page";
import { Table } from "../components/Table";
import { useForm } from "../components/useForm";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";

type Person = Schemas["PersonView"];
type Role = Schemas["InviteIn"]["role"];
const ROLES = (["admin", "operator", "viewer"] as const).map((id) => ({ id, name: id }));
const LIST = () => api.GET("/api/v1/people");

export function PeoplePage() {
  const { values: form, field, reset } = useForm({ email: "", role: "operator" as Role });
  const [token, setToken] = useState("");
  const [people, load] = useList<Person>(LIST);
  const send = () => api.POST("/api/v1/people", { body: form });
  const [errors, invite] = useSubmit(send, (made) => { setToken(made.invitation_token ?? ""); reset(); }, load);
  const remove = (id: string) => thenReload(api.DELETE("/api/v1/people/{person_id}", { params: { path: { person_id: id } } }), load);
  return (
    <Page title="People">
      <form onSubmit={invite} aria-label="Invite a person">
        <div className="row">
          <TextField label="Email" error={errorFor(errors, "email")} type="email" value={form.email} onChange={field("email")} />
          <ChoiceField label="Role" error={errorFor(errors, "role")} value={form.role} onChange={field("role")} options={ROLES} />
        </div>
        <FormError message={errors[""]} />
        <button type="submit">Invite</button>
      </form>
      {token && <p role="status">Invitation token, shown this once (they accept it with a password of their own): <code>{token}</code></p>}
      <Table label="People" columns={["Email", "Role", "Invitation", "Remove"]}>
        {people.map((p) => (
          <tr key={p.id}><td>{p.email}</td><td>{p.role}</td><td>{p.invited ? "open" : "accepted"}</td>
            <td><button type="button" className="danger" aria-label={`Remove ${p.email}`} onClick={() => remove(p.id)}>Remove</button></td></tr>
        ))}
      </Table>
    </Page>
  );
}
