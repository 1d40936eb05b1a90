import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, FormError, TextField, type Choice } from "../components/Field";
import { Page } from "../components/Page";
import { Table } from "../components/Table";
import { useForm } from "../components/useForm";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";
import { inZone, operatorZone } from "../lib/time";

type Key = Schemas["KeyView"];
type Scope = "read" | "write" | "admin";
const SCOPES: Choice<Scope>[] = [{ id: "read", name: "read" }, { id: "write", name: "write (and read)" }, { id: "admin", name: "admin (everything)" }];
const LIST = () => api.GET("/api/v1/keys");

export function KeysPage() {
  const { values: form, field, reset } = useForm({ name: "", scope: "write" as Scope });
  const [secret, setSecret] = useState("");
  const [keys, load] = useList<Key>(LIST);
  const send = () => api.POST("/api/v1/keys", { body: { name: form.name, scopes: [form.scope] } });
  const [errors, create] = useSubmit(send, (made) => { setSecret(made.secret ?? ""); reset(); }, load);
  const revoke = (id: string) => thenReload(api.DELETE("/api/v1/keys/{key_id}", { params: { path: { key_id: id } } }), load);
  const rotate = async (id: string) => {
    const { data } = await api.POST("/api/v1/keys/{key_id}/rotate", { params: { path: { key_id: id } } });
    setSecret(data?.secret ?? "");
    void load();
  };
  const zone = operatorZone();
  return (
    <Page title="API keys">
      <form onSubmit={create} aria-label="Create an API key">
        <div className="row">
          <TextField label="Key name" error={errorFor(errors, "name")} value={form.name} onChange={field("name")} />
          <ChoiceField label="Scope" value={form.scope} onChange={field("scope")} options={SCOPES} />
        </div>
        <FormError message={errors[""] ?? errorFor(errors, "scopes")} />
        <button type="submit">Create key</button>
      </form>
      {secret && (
        <p role="status">
          The key's secret, shown this once: <code>{secret}</code>
        </p>
      )}
      <Table label="API keys" columns={["Name", "Prefix", "Scopes", "Created", "Last used", "Revoked", "Actions"]}>
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
      </Table>
    </Page>
  );
}
