import { api, type Schemas } from "../api/client";
import { FormError, TextField } from "../components/Field";
import { Page } from "../components/Page";
import { Table } from "../components/Table";
import { useForm } from "../components/useForm";
import { thenReload, useList, useSubmit } from "../components/useList";
import { errorFor } from "../lib/errors";
import { inZone, operatorZone } from "../lib/time";

type Number = Schemas["NumberView"];
const LIST = () => api.GET("/api/v1/numbers");

export function NumbersPage() {
  const { values: form, field, reset } = useForm({ number: "", tags: "" });
  const [numbers, load] = useList<Number>(LIST);
  const body = { number: form.number, tags: form.tags.split(",").map((t) => t.trim()).filter(Boolean) };
  const [errors, add] = useSubmit(() => api.POST("/api/v1/numbers", { body }), reset, load);
  const remove = (n: string) => thenReload(api.DELETE("/api/v1/numbers/{number}", { params: { path: { number: n } } }), load);
  const zone = operatorZone();
  return (
    <Page title="Numbers">
      <form onSubmit={add} aria-label="Add a number">
        <div className="row">
          <TextField label="Number (E.164)" error={errorFor(errors, "number")} value={form.number} placeholder="+12125550100" onChange={field("number")} />
          <TextField label="Tags (comma separated)" error={errorFor(errors, "tags")} value={form.tags} onChange={field("tags")} />
        </div>
        <FormError message={errors[""]} />
        <button type="submit">Add number</button>
      </form>
      <Table label="Numbers" columns={["Number", "Tags", "Place", "Status", "Answer rate", "Recent calls", "Rested until", "Remove"]}>
        {numbers.map((n) => (
          <tr key={n.number}>
            <td>{n.number}</td><td>{(n.tags ?? []).join(", ")}</td><td>{[n.state, n.country].filter(Boolean).join(", ")}</td><td>{n.status}</td>
            <td>{n.answer_rate == null ? "—" : `${Math.round(n.answer_rate * 100)}%`}</td><td>{n.recent_calls ?? 0}</td>
            <td>{n.rested_until ? inZone(n.rested_until, zone) : "—"}</td>
            <td><button type="button" aria-label={`Remove ${n.number}`} onClick={() => remove(n.number)}>Remove</button></td>
          </tr>
        ))}
      </Table>
    </Page>
  );
}
