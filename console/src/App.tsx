import { useCallback, useEffect, useState } from "react";
import { api, type Schemas } from "./api/client";
import { href, useRoute } from "./lib/route";
import { CallsPage } from "./pages/CallsPage";
import { CampaignPage } from "./pages/CampaignPage";
import { CampaignsPage } from "./pages/CampaignsPage";
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
          <a href={href({ page: "campaigns" })}>Campaigns</a>
          <a href={href({ page: "calls" })}>Call history</a>
        </nav>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === "campaigns" && <CampaignsPage />}
        {route.page === "campaign" && <CampaignPage key={route.id} id={route.id} section={route.section} />}
        {route.page === "calls" && <CallsPage />}
      </main>
    </>
  );
}
