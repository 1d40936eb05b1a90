import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { Page } from "../components/Page";
import { usePages } from "../components/Pager";
import { Table } from "../components/Table";
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
    <Page title="Audit log">
      <Table label="Audit log" columns={["When", "Who", "Did", "On"]}>
        {items.map((e) => <tr key={e.id}><td>{inZone(e.at, zone)}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.target}</td></tr>)}
      </Table>
      {paging.controls(next)}
    </Page>
  );
}
