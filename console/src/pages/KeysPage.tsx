import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, Field, FormError, type Choice } from "../components/Field";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";
import { inZone, operatorZone } from "../lib/time";

type Key = Schemas["KeyView"];
type Scope = "read" | "write" | "admin";
const SCOPES: Choice<Scope>[] = [{ id: "read", name: "read" }, { id: "write", name: "write (and read)" }, { id: "admin", name: "admin (everything)" }];
const LIST = () => api.GET("/api/v1/keys");

export function KeysPage() {
  const [name, setName] = useState("");
  const [scope, setScope] = useState<Scope>("write");
  const [secret, setSecret] = useState("");
  const [keys, load] = useList<Key>(LIST);
  const send = () => api.POST("/api/v1/keys", { body: { name, scopes: [scope] } });
  const [errors, create] = useSubmit(send, (made) => { setSecret(made.secret ?? ""); setName(""); }, load);
  const revoke = (id: string) => thenReload(api.DELETE("/api/v1/keys/{key_id}", { params: { path: { key_id: id } } }), load);
  const rotate = async (id: string) => {
    const { data } = await api.POST("/api/v1/keys/{key_id}/rotate", { params: { path: { key_id: id } } });
    setSecret(data?.secret ?? "");
    void load();
  };
  const zone = operatorZone();
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <form onSubmit={create} aria-label="Create an API key">
        <div className="row">
          <Field label="Key name" error={errorFor(errors, "name")}>{(id, d) => <input id={id} aria-describedby={d} value={name} onChange={(e) => setName(e.target.value)} />}</Field>
          <ChoiceField label="Scope" value={scope} onChange={setScope} options={SCOPES} />
        </div>
        <FormError message={errors[""] ?? errorFor(errors, "scopes")} />
        <button type="submit">Create key</button>
      </form>
      {secret && (
        <p role="status">
          The key's secret, shown this once: <code>{secret}</code>
        </p>
      )}
      <table aria-label="API keys">
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Revoked</th><th scope="col">Actions</th></tr></thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td><td><code>{k.prefix}</code></td><td>{k.scopes.join(", ")}</td><td>{inZone(k.created_at, zone)}</td><td>{inZone(k.last_used_at, zone)}</td><td>{inZone(k.revoked_at, zone)}</td>
              <td>
                {!k.revoked_at && (
                  <>
                    <button type="button" aria-label={`Rotate ${k.name}`} onClick={() => rotate(k.id)}>Rotate</button>{" "}
                    <button type="button" className="danger" aria-label={`Revoke ${k.name}`} onClick={() => revoke(k.id)}>Revoke</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
