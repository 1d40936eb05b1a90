import Papa from "papaparse";
import { useEffect, useState } from "react";
import { api, type Campaign, type ImportJob, type ImportPreview, type Schemas } from "../api/client";
import { Field, FormError } from "../components/Field";
import { Table } from "../components/Table";
import { errorFor, fieldErrors, type FieldErrors } from "../lib/errors";
import { assign, columnsOf, FIELDS, mappingProblems, withCustom, type Mapping } from "../lib/mapping";

const DONE = ["completed", "failed", "canceled"];

export function ContactsSection({ campaign }: { campaign: Campaign }) {
  const [file, setFile] = useState<File | null>(null);
  const [hasHeaders, setHasHeaders] = useState(true);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Mapping>({});
  const [keepOthers, setKeepOthers] = useState(true);
  const [skipDuplicates, setSkipDuplicates] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [job, setJob] = useState<ImportJob | null>(null);

  useEffect(() => {
    if (!file) return;
    void (async () => {
      const form = new FormData();
      form.append("file", file);
      form.append("has_headers", String(hasHeaders));
      const { data, error } = await api.POST("/api/v1/imports/preview", { body: { file: "" }, bodySerializer: () => form });
      setPreview(data ?? null);
      setErrors(data ? {} : fieldErrors(error));
      if (data) setMapping(Object.fromEntries(Object.entries(data.suggested_mapping).filter(([f]) => FIELDS.some((x) => x.id === f))));
    })();
  }, [file, hasHeaders]);

  useEffect(() => {
    if (!job || DONE.includes(job.status)) return;
    const timer = setTimeout(async () => {
      const { data } = await api.GET("/api/v1/imports/{import_id}", { params: { path: { import_id: job.id } } });
      if (data) setJob(data);
    }, 1000);
    return () => clearTimeout(timer);
  }, [job]);

  const columns = preview ? columnsOf(preview.header, preview.rows) : [];
  const start = async () => {
    const problems = mappingProblems(mapping);
    setErrors(problems);
    if (!file || Object.keys(problems).length) return;
    const form = new FormData();
    form.append("file", file);
    form.append("campaign_id", campaign.id);
    form.append("mapping", JSON.stringify(withCustom(mapping, columns, keepOthers && hasHeaders)));
    form.append("has_headers", String(hasHeaders));
    form.append("skip_duplicates", String(skipDuplicates));
    const { data, error } = await api.POST("/api/v1/imports", { body: { file: "", campaign_id: campaign.id }, bodySerializer: () => form });
    if (data) setJob(data);
    else setErrors(fieldErrors(error));
  };

  return (
    <section aria-label="Contacts">
      <Field label="Upload a CSV" error={errorFor(errors, "file")}>
        {(id, d) => <input id={id} aria-describedby={d} type="file" accept=".csv,text/csv,text/plain" onChange={(e) => (setJob(null), setFile(e.target.files?.[0] ?? null))} />}
      </Field>
      <label className="inline">
        <input type="checkbox" checked={hasHeaders} onChange={(e) => setHasHeaders(e.target.checked)} />
        Data has headers
      </label>
      {preview && (
        <>
          <h2>File contents</h2>
          <pre aria-label="Raw file contents" tabIndex={0}>{preview.raw.join("\n")}</pre>
          <h2>Parsed preview</h2>
          <div className="scroll" tabIndex={0} role="region" aria-label="Parsed preview">
            <table aria-label="Parsed rows">
              <thead>
                <tr>{columns.map((c) => <th key={c} scope="col"><Chip column={c} /></th>)}</tr>
              </thead>
              <tbody>
                {preview.rows.map((row, i) => <tr key={i}>{columns.map((c, j) => <td key={c}>{row[j]}</td>)}</tr>)}
              </tbody>
            </table>
          </div>
          <h2>Map columns to fields</h2>
          <p>Drag a column's name onto a field, or choose it from the field's list.</p>
          <div className="mapping">
            {FIELDS.map((f) => (
              <Target key={f.id} label={f.id === "to_number" ? "To Number" : f.label} required={f.required} column={mapping[f.id] ?? ""} columns={columns}
                onChange={(column) => setMapping(assign(mapping, f.id, column))} />
            ))}
          </div>
          {hasHeaders && (
            <label className="inline">
              <input type="checkbox" checked={keepOthers} onChange={(e) => setKeepOthers(e.target.checked)} />
              Keep the other columns as custom fields
            </label>
          )}
          <label className="inline">
            <input type="checkbox" checked={skipDuplicates} onChange={(e) => setSkipDuplicates(e.target.checked)} />
            Skip duplicate phone numbers
          </label>
          <FormError message={errors.mapping ?? errors[""]} />
          <button type="button" onClick={start} disabled={!!job && !DONE.includes(job.status)}>
            Import
          </button>
        </>
      )}
      {job && <Progress job={job} />}
      <LaunchPreview campaignId={campaign.id} refresh={job?.status} />
    </section>
  );
}

function Chip({ column }: { column: string }) {
  return (
    <span className="chip" draggable onDragStart={(e) => e.dataTransfer.setData("text/plain", column)} aria-label={`Column ${column}`}>
      {column}
    </span>
  );
}

function Target(props: { label: string; required?: boolean; column: string; columns: string[]; onChange: (column: string) => void }) {
  const [over, setOver] = useState(false);
  return (
    <div className={`target${over ? " over" : ""}`} data-testid={`field ${props.label}`}
      onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)}
      onDrop={(e) => { e.preventDefault(); setOver(false); const c = e.dataTransfer.getData("text/plain"); if (c) props.onChange(c); }}>
      <Field label={props.required ? `${props.label} (required)` : props.label}>
        {(id) => (
          <select id={id} aria-label={props.label} value={props.column} onChange={(e) => props.onChange(e.target.value)}>
            <option value="">— not mapped —</option>
            {props.columns.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        )}
      </Field>
    </div>
  );
}

function Progress({ job }: { job: ImportJob }) {
  const [rejected, setRejected] = useState<string[][]>([]);
  const url = `/api/v1/imports/${encodeURIComponent(job.id)}/rejected.csv`;
  useEffect(() => {
    if (job.status !== "completed" || !job.rejected) return;
    void fetch(url, { credentials: "same-origin" }).then(async (r) => setRejected(Papa.parse<string[]>(await r.text(), { skipEmptyLines: true }).data));
  }, [job.status, job.rejected, url]);
  return (
    <div aria-label="Import progress">
      <p role="status">
        Import {job.status}: {job.rows ?? 0} rows read, {job.imported ?? 0} imported, {job.rejected ?? 0} rejected
        {job.duplicates ? ` (${job.duplicates} duplicates)` : ""}{job.invalid ? ` (${job.invalid} invalid)` : ""}.
        {job.error ? ` ${job.error}` : ""}
      </p>
      {job.status !== "completed" && !DONE.includes(job.status) && <progress aria-label="Import running" />}
      {rejected.length > 1 && (
        <>
          <h2>Rejected rows</h2>
          <a href={url} download>Download rejected rows</a>
          <Table label="Rejected rows" columns={rejected[0]}>
            {rejected.slice(1, 51).map((row, i) => <tr key={i}>{row.map((cell, j) => <td key={j}>{cell}</td>)}</tr>)}
          </Table>
        </>
      )}
    </div>
  );
}

type Launch = Schemas["LaunchPreview"];

function LaunchPreview({ campaignId, refresh }: { campaignId: string; refresh?: string }) {
  const [preview, setPreview] = useState<Launch | null>(null);
  useEffect(() => {
    void api.GET("/api/v1/campaigns/{campaign_id}/preview", { params: { path: { campaign_id: campaignId } } }).then(({ data }) => setPreview(data ?? null));
  }, [campaignId, refresh]);
  if (!preview) return null;
  const reasons = Object.entries(preview.split).filter(([, n]) => n > 0);
  return (
    <section aria-label="Launch preview">
      <h2>Launch preview</h2>
      <p>{preview.message}</p>
      {reasons.length > 0 && (
        <ul>{reasons.map(([reason, n]) => <li key={reason}>{reason.replace(/_/g, " ")}: {n}</li>)}</ul>
      )}
    </section>
  );
}
