import { useCallback, useEffect, useState } from "react";
import { api, type Campaign, type Schemas } from "../api/client";
import { Page } from "../components/Page";
import { fieldErrors, type FieldErrors } from "../lib/errors";
import { href, SECTIONS, type Section } from "../lib/route";
import { ContactsSection } from "../sections/ContactsSection";
import { FlowSection } from "../sections/FlowSection";
import { NumbersSection } from "../sections/NumbersSection";
import { OverviewSection } from "../sections/OverviewSection";
import { WindowSection } from "../sections/WindowSection";

export type Edit = Schemas["CampaignEdit"];
/** Saves a change of the campaign; the API's field errors when it is refused (nothing typed is lost). */
export type Save = (edit: Edit) => Promise<FieldErrors>;

export function CampaignPage({ id, section }: { id: string; section: Section }) {
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  const [missing, setMissing] = useState(false);
  const reload = useCallback(async () => {
    const { data } = await api.GET("/api/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } });
    if (data) setCampaign(data);
    else setMissing(true);
  }, [id]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const save: Save = async (edit) => {
    const { data, error } = await api.PATCH("/api/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: id } }, body: edit });
    if (data) {
      setCampaign(data);
      return {};
    }
    return fieldErrors(error);
  };

  if (missing) return <p role="alert">Campaign {id} was not found.</p>;
  if (!campaign) return <p role="status">Loading…</p>;
  return (
    <Page title={<>{campaign.spec.name} <span className="status">{campaign.status}</span></>}>
      <nav aria-label="Campaign sections" className="tabs">
        {SECTIONS.map((s) => (
          <a key={s.id} href={href({ page: "campaign", id, section: s.id })} aria-current={s.id === section ? "page" : undefined}>
            {s.label}
          </a>
        ))}
      </nav>
      {section === "window" && <WindowSection campaign={campaign} save={save} />}
      {section === "flow" && <FlowSection campaign={campaign} save={save} />}
      {section === "numbers" && <NumbersSection campaign={campaign} save={save} />}
      {section === "contacts" && <ContactsSection campaign={campaign} />}
      {section === "overview" && <OverviewSection campaign={campaign} onChange={setCampaign} />}
    </Page>
  );
}
