import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, type Campaign, type Overview } from "../api/client";
import { Field, FormError, TextField } from "../components/Field";
import { Page } from "../components/Page";
import { Table } from "../components/Table";
import { errorFor, fieldErrors, type FieldErrors } from "../lib/errors";
import { go, href } from "../lib/route";
import { inZone } from "../lib/time";
import { DEFAULT_WINDOW } from "../lib/window";

export function CampaignsPage() {
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [overviews, setOverviews] = useState<Record<string, Overview>>({});
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    void (async () => {
      const [listed, seen] = await Promise.all([api.GET("/api/v1/campaigns", { params: { query: { limit: 200 } } }), api.GET("/api/v1/overviews")]);
      setCampaigns(listed.data ?? []);
      setOverviews(Object.fromEntries((seen.data ?? []).map((o) => [o.campaign_id, o])));
    })();
  }, []);

  return (
    <Page title="Campaigns" actions={<button type="button" onClick={() => setCreating(true)}>New Campaign</button>}>
      <Table columns={["Name", "Status", "Total contacts", "Exited", "Started on"]}>
        {campaigns.map((c) => (
          <tr key={c.id}>
            <td>
              <a href={href({ page: "campaign", id: c.id, section: "overview" })}>{c.spec.name}</a>
            </td>
            <td>{c.status}</td>
            <td>{overviews[c.id]?.total ?? 0}</td>
            <td>{overviews[c.id]?.exited ?? 0}</td>
            <td>{inZone(c.started_at)}</td>
          </tr>
        ))}
      </Table>
      {campaigns.length === 0 && <p>No campaigns yet.</p>}
      <CreateCampaign open={creating} onClose={() => setCreating(false)} />
    </Page>
  );
}

function CreateCampaign({ open, onClose }: { open: boolean; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  useEffect(() => {
    if (open && ref.current && !ref.current.open) ref.current.showModal?.();
    if (!open && ref.current?.open) ref.current.close();
  }, [open]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { name, description, window: DEFAULT_WINDOW, flow: [] };
    const { data, error } = await api.POST("/api/v1/campaigns", { body });
    if (data) {
      onClose();
      go({ page: "campaign", id: data.id, section: "window" });
    } else setErrors(fieldErrors(error));
  };

  return (
    <dialog ref={ref} aria-labelledby="create-title" onCancel={onClose}>
      <form onSubmit={submit}>
        <h2 id="create-title">Create campaign</h2>
        <TextField label="Campaign name" error={errorFor(errors, "name")} value={name} onChange={setName} required />
        <Field label="Campaign description" error={errorFor(errors, "description")}>
          {(id, d) => <textarea id={id} aria-describedby={d} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <FormError message={errors[""] ?? errorFor(errors, "flow")} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit">Create</button>
        </div>
      </form>
    </dialog>
  );
}
