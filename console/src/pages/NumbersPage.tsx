import { useState } from "react";
import { api, type Schemas } from "../api/client";
import { Field, FormError } from "../components/Field";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";
import { inZone, operatorZone } from "../lib/time";

type Number = Schemas["NumberView"];
const LIST = () => api.GET("/api/v1/numbers");

export function NumbersPage() {
  const [number, setNumber] = useState("");
  const [tags, setTags] = useState("");
  const [numbers, load] = useList<Number>(LIST);
  const body = { number, tags: tags.split(",").map((t) => t.trim()).filter(Boolean) };
  const [errors, add] = useSubmit(() => api.POST("/api/v1/numbers", { body }), () => { setNumber(""); setTags(""); }, load);
  const remove = (n: string) => thenReload(api.DELETE("/api/v1/numbers/{number}", { params: { path: { number: n } } }), load);
  const zone = operatorZone();
  return (
    <section aria-labelledby="numbers-title">
      <h1 id="numbers-title">Numbers</h1>
      <form onSubmit={add} aria-label="Add a number">
        <div className="row">
          <Field label="Number (E.164)" error={errorFor(errors, "number")}>
            {(id, d) => <input id={id} aria-describedby={d} value={number} placeholder="+12125550100" onChange={(e) => setNumber(e.target.value)} />}
          </Field>
          <Field label="Tags (comma separated)" error={errorFor(errors, "tags")}>
            {(id, d) => <input id={id} aria-describedby={d} value={tags} onChange={(e) => setTags(e.target.value)} />}
          </Field>
        </div>
        <FormError message={errors[""]} />
        <button type="submit">Add number</button>
      </form>
      <table aria-label="Numbers">
        <thead><tr><th scope="col">Number</th><th scope="col">Tags</th><th scope="col">Place</th><th scope="col">Status</th><th scope="col">Answer rate</th><th scope="col">Recent calls</th><th scope="col">Rested until</th><th scope="col">Remove</th></tr></thead>
        <tbody>
          {numbers.map((n) => (
            <tr key={n.number}>
              <td>{n.number}</td><td>{(n.tags ?? []).join(", ")}</td><td>{[n.state, n.country].filter(Boolean).join(", ")}</td><td>{n.status}</td>
              <td>{n.answer_rate == null ? "—" : `${Math.round(n.answer_rate * 100)}%`}</td><td>{n.recent_calls ?? 0}</td>
              <td>{n.rested_until ? inZone(n.rested_until, zone) : "—"}</td>
              <td><button type="button" aria-label={`Remove ${n.number}`} onClick={() => remove(n.number)}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
