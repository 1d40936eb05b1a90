import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, Field, FormError } from "../components/Field";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";

type Person = Schemas["PersonView"];
type Role = Schemas["InviteIn"]["role"];
const ROLES = (["admin", "operator", "viewer"] as const).map((id) => ({ id, name: id }));
const LIST = () => api.GET("/api/v1/people");

export function PeoplePage() {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("operator");
  const [token, setToken] = useState("");
  const [people, load] = useList<Person>(LIST);
  const send = () => api.POST("/api/v1/people", { body: { email, role } });
  const [errors, invite] = useSubmit(send, (made) => { setToken(made.invitation_token ?? ""); setEmail(""); }, load);
  const remove = (id: string) => thenReload(api.DELETE("/api/v1/people/{person_id}", { params: { path: { person_id: id } } }), load);
  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">People</h1>
      <form onSubmit={invite} aria-label="Invite a person">
        <div className="row">
          <Field label="Email" error={errorFor(errors, "email")}>{(id, d) => <input id={id} aria-describedby={d} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}</Field>
          <ChoiceField label="Role" error={errorFor(errors, "role")} value={role} onChange={setRole} options={ROLES} />
        </div>
        <FormError message={errors[""]} />
        <button type="submit">Invite</button>
      </form>
      {token && <p role="status">Invitation token, shown this once (they accept it with a password of their own): <code>{token}</code></p>}
      <table aria-label="People">
        <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Invitation</th><th scope="col">Remove</th></tr></thead>
        <tbody>
          {people.map((p) => (
            <tr key={p.id}><td>{p.email}</td><td>{p.role}</td><td>{p.invited ? "open" : "accepted"}</td>
              <td><button type="button" className="danger" aria-label={`Remove ${p.email}`} onClick={() => remove(p.id)}>Remove</button></td></tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
