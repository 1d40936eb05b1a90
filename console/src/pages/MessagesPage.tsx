import { useEffect, useState } from "react";
import { api, type Schemas } from "../api/client";
import { ChoiceField, type Choice } from "../components/Field";
import { Page } from "../components/Page";
import { usePages } from "../components/Pager";
import { Table } from "../components/Table";
import { inZone, operatorZone } from "../lib/time";

type Message = Schemas["MessageView"];
type Channel = "" | "sms" | "email";
const CHANNELS: Choice<Channel>[] = [{ id: "", name: "Any channel" }, { id: "sms", name: "SMS" }, { id: "email", name: "Email" }];

export function MessagesPage() {
  const [channel, setChannel] = useState<Channel>("");
  const [items, setItems] = useState<Message[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const paging = usePages();
  useEffect(() => {
    const query = { limit: 25, ...(channel ? { channel } : {}), ...(paging.after ? { after: paging.after } : {}) };
    void api.GET("/api/v1/messages", { params: { query } }).then(({ data }) => {
      setItems(data?.items ?? []);
      setNext(data?.next ?? null);
    });
  }, [channel, paging.after]);
  const zone = operatorZone();
  return (
    <Page title="Messages">
      <ChoiceField label="Channel" value={channel} onChange={(c) => (setChannel(c), paging.reset())} options={CHANNELS} />
      <Table label="Messages" columns={["Created", "Channel", "To", "Status", "Campaign", "Status trail"]}>
        {items.map((m) => (
          <tr key={m.id}>
            <td>{inZone(m.created_at, zone)}</td><td>{m.channel}</td><td>{String(m.command?.to ?? m.command?.phone ?? m.command?.email ?? "")}</td><td>{m.status}</td><td>{m.campaign_id}</td>
            <td>{(m.trail ?? []).map((t) => String(t.status)).join(" → ")}</td>
          </tr>
        ))}
      </Table>
      {paging.controls(next)}
    </Page>
  );
}
