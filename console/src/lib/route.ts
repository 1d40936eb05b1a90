// Where the console is, kept in the URL's hash so that a reload or a shared link opens the same page.
import { useEffect, useState } from "react";

export type Section = "window" | "flow" | "numbers" | "contacts" | "overview";
export const SECTIONS: { id: Section; label: string }[] = [
  { id: "window", label: "Contact window" },
  { id: "flow", label: "Outreach flow" },
  { id: "numbers", label: "Numbers and exit criteria" },
  { id: "contacts", label: "Contacts" },
  { id: "overview", label: "Overview" },
];

export const PAGES = [
  { id: "campaigns", label: "Campaigns" },
  { id: "calls", label: "Call history" },
  { id: "messages", label: "Messages" },
  { id: "dnc", label: "Do-not-call" },
  { id: "numbers", label: "Numbers" },
  { id: "agents", label: "Agents" },
  { id: "crm", label: "CRM" },
  { id: "keys", label: "API keys", admin: true },
  { id: "people", label: "People", admin: true },
  { id: "audit", label: "Audit log", admin: true },
] as const;
export type Page = (typeof PAGES)[number]["id"];

export type Route = { page: Exclude<Page, "campaign"> } | { page: "campaign"; id: string; section: Section };

export function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean);
  if (parts[0] === "campaigns" && parts[1]) {
    const section = SECTIONS.find((s) => s.id === parts[2])?.id ?? "overview";
    return { page: "campaign", id: decodeURIComponent(parts[1]), section };
  }
  const page = PAGES.find((p) => p.id === parts[0]);
  return { page: page ? page.id : "campaigns" };
}

export function href(route: Route): string {
  if (route.page === "campaign") return `#/campaigns/${encodeURIComponent(route.id)}/${route.section}`;
  return `#/${route.page}`;
}

export function go(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parse(window.location.hash));
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}
