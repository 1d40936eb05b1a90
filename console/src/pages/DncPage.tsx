import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, type Schemas } from "../api/client";
import { Field, FormError, TextField } from "../components/Field";
import { Page } from "../components/Page";
import { usePages } from "../components/Pager";
import { Table } from "../components/Table";
import { errorFor, fieldErrors, type FieldErrors } from "../lib/errors";
import { inZone, operatorZone } from "../lib/time";

type Entry = Schemas["DncEntry"];

export function DncPage() {
  const [items, setItems] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [phones, setPhones] = useState("");
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [result, setResult] = useState("");
  const paging = usePages();
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/v1/dnc", { params: { query: { limit: 50, ...(paging.after ? { after: paging.after } : {}) } } });
    setItems(data?.items ?? []);
    setNext(data?.next ?? null);
  }, [paging.after]);
  useEffect(() => void load(), [load]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const list = phones.split(/[\n,;]+/).map((p) => p.trim()).filter(Boolean);
    const { data, error } = await api.POST("/api/v1/dnc", { body: { phones: list, reason: reason || undefined } });
    if (!data) return setErrors(fieldErrors(error));
    setErrors({});
    setResult(`${data.added} added, ${data.already_listed} already listed${data.invalid.length ? `, ${data.invalid.length} invalid: ${data.invalid.map((i) => `${i.value} (${i.reason})`).join("; ")}` : ""}`);
    if (!data.invalid.length) setPhones("");
    void load();
  };
  const remove = async (phone: string) => {
    await api.DELETE("/api/v1/dnc/{phone}", { params: { path: { phone } } });
    void load();
  };
  const zone = operatorZone();
  return (
    <Page title="Do-not-call">
      <form onSubmit={add} aria-label="Add to the do-not-call list">
        <Field label="Phone numbers (one per line)" error={errorFor(errors, "phones")}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={3} value={phones} onChange={(e) => setPhones(e.target.value)} />}
        </Field>
        <TextField label="Reason" error={errorFor(errors, "reason")} value={reason} onChange={setReason} />
        <FormError message={errors[""]} />
        <button type="submit">Add to do-not-call list</button>
        {result && <p role="status">{result}</p>}
      </form>
      <Table label="Do-not-call list" columns={["Phone", "Source", "Reason", "Added", "Remove"]}>
        {items.map((e) => (
          <tr key={e.phone}>
            <td>{e.phone}</td><td>{e.source}</td><td>{e.reason ?? ""}</td><td>{inZone(e.added_at, zone)}</td>
            <td><button type="button" aria-label={`Remove ${e.phone}`} onClick={() => remove(e.phone)}>Remove</button></td>
          </tr>
        ))}
      </Table>
      {paging.controls(next)}
    </Page>
  );
}
