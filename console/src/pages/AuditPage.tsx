import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { usePages } from "../components/Pager";
import { inZone, operatorZone } from "../lib/time";

type Entry = Schemas["AuditEntry"];

export function AuditPage() {
  const [items, setItems] = useState<Entry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const paging = usePages();
  useEffect(() => {
    void api.GET("/api/v1/audit", { params: { query: { limit: 50, ...(paging.after ? { after: paging.after } : {}) } } }).then(({ data }) => {
      setItems(data?.items ?? []);
      setNext(data?.next ?? null);
    });
  }, [paging.after]);
  const zone = operatorZone();
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <table aria-label="Audit log">
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Did</th><th scope="col">On</th></tr></thead>
        <tbody>
          {items.map((e) => <tr key={e.id}><td>{inZone(e.at, zone)}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.target}</td></tr>)}
        </tbody>
      </table>
      {paging.controls(next)}
    </section>
  );
}
