import { useCallback, useEffect, useState } from "react";
import { api, type Schemas } from "./api/client";
import { href, PAGES, useRoute } from "./lib/route";
import { AgentsPage } from "./pages/AgentsPage";
import { AuditPage } from "./pages/AuditPage";
import { DncPage } from "./pages/DncPage";
import { KeysPage } from "./pages/KeysPage";
import { MessagesPage } from "./pages/MessagesPage";
import { NumbersPage } from "./pages/NumbersPage";
import { PeoplePage } from "./pages/PeoplePage";
import { CallsPage } from "./pages/CallsPage";
import { CampaignPage } from "./pages/CampaignPage";
import { CampaignsPage } from "./pages/CampaignsPage";
import { CrmPage } from "./pages/CrmPage";
import { SignIn } from "./pages/SignIn";

type Who = Schemas["WorkspaceView"];

export function App() {
  const [who, setWho] = useState<Who | null | undefined>(undefined);
  const route = useRoute();
  const load = useCallback(async () => {
    const { data } = await api.GET("/api/v1/workspace");
    setWho(data ?? null);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  if (who === undefined) return <p role="status">Loading…</p>;
  if (who === null) return <SignIn onSignedIn={load} />;
  const signOut = async () => {
    await api.POST("/api/v1/auth/logout");
    setWho(null);
  };
  return (
    <>
      <header className="bar">
        <span className="brand">Outreach</span>
        <span aria-label="Workspace">{who.name ?? who.workspace_id}</span>
        <nav aria-label="Main">
          {PAGES.filter((p) => !("admin" in p) || who.scopes.includes("admin")).map((p) => (
            <a key={p.id} href={href({ page: p.id })} aria-current={route.page === p.id ? "page" : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === "campaigns" && <CampaignsPage />}
        {route.page === "campaign" && <CampaignPage key={route.id} id={route.id} section={route.section} />}
        {route.page === "calls" && <CallsPage />}
        {route.page === "messages" && <MessagesPage />}
        {route.page === "dnc" && <DncPage />}
        {route.page === "numbers" && <NumbersPage />}
        {route.page === "agents" && <AgentsPage />}
        {route.page === "crm" && <CrmPage />}
        {route.page === "keys" && <KeysPage />}
        {route.page === "people" && <PeoplePage />}
        {route.page === "audit" && <AuditPage />}
      </main>
    </>
  );
}
