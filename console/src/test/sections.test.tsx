import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Campaign } from "../api/client";
import { FlowSection } from "../sections/FlowSection";
import { WindowSection } from "../sections/WindowSection";
import { DEFAULT_WINDOW } from "../lib/window";

const campaign: Campaign = { id: "cmp_1", workspace_id: "ws_1", spec: { name: "Renewals", window: DEFAULT_WINDOW, flow: [] }, status: "draft", created_at: "2026-12-01T00:00:00Z" };

function answer(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => vi.unstubAllGlobals());

describe("WindowSection", () => {
  it("shows an API error next to the field it names and keeps what was typed", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer([])));
    const save = vi.fn(async () => ({ "window.timezone.fallback": "unknown time zone 'Mars/Base'" }));
    render(<WindowSection campaign={campaign} save={save} />);
    const user = userEvent.setup();
    const fallback = screen.getByLabelText("Fallback timezone");
    await user.clear(fallback);
    await user.type(fallback, "Mars/Base");
    await user.click(screen.getByRole("checkbox", { name: "Sun" }));
    await user.click(screen.getByRole("button", { name: "Save contact window" }));
    expect(await screen.findByText("unknown time zone 'Mars/Base'")).toBeInTheDocument();
    expect(fallback).toHaveValue("Mars/Base");
    expect(fallback).toHaveAccessibleDescription("unknown time zone 'Mars/Base'");
    expect(save).toHaveBeenCalledWith({ window: expect.objectContaining({ days: ["mon", "tue", "wed", "thu", "fri", "sun"] }) });
  });
  it("refuses an end before the start without asking the API", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer([])));
    const save = vi.fn(async () => ({}));
    render(<WindowSection campaign={{ ...campaign, spec: { ...campaign.spec, window: { ...DEFAULT_WINDOW, start: "18:00", end: "09:00" } } }} save={save} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Save contact window" }));
    expect(await screen.findByText("End time must be after start time")).toBeInTheDocument();
    expect(save).not.toHaveBeenCalled();
  });
});

describe("First reach", () => {
  it("shows each sampled contact's first instant in the contact's zone and the operator's", async () => {
    vi.stubGlobal("fetch", vi.fn(async (request: Request) => {
      if (request.url.includes("/first-reach")) return answer([{ contact_id: "ct_1", phone: "+13055550100", first_at: "2026-12-08T14:00:00Z", first_local: "2026-12-08T09:00-05:00", timezone: "America/New_York" }]);
      return answer([]);
    }));
    render(<WindowSection campaign={campaign} save={vi.fn(async () => ({}))} />);
    const table = await screen.findByRole("table", { name: "First reach" });
    expect(table).toHaveTextContent("+13055550100");
    expect(table).toHaveTextContent(/09:00.*(EST|GMT-5|America\/New_York)/);
  });
});

describe("FlowSection", () => {
  it("builds a call then an SMS one day later, with a live preview", async () => {
    vi.stubGlobal("fetch", vi.fn(async (request: Request) => {
      if (request.url.endsWith("/api/v1/agents")) return answer([{ id: "agt_1", name: "Renewals agent" }]);
      return answer({ channel: "sms", body: "Hi Ada, see you", encoding: "GSM-7", units: 15, segments: 1 });
    }));
    const save = vi.fn(async () => ({}));
    render(<FlowSection campaign={campaign} save={save} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Add next outreach" }));
    await user.type(screen.getByLabelText("Agent"), "agt_1");
    await user.click(screen.getByRole("button", { name: "Add next outreach" }));
    expect(screen.getByText("Step 2: 1 day after phone call")).toBeInTheDocument();
    await user.click(screen.getAllByRole("checkbox", { name: "Retry after busy" })[0]);
    const retries = screen.getByLabelText("Retries after busy");
    await user.clear(retries);
    await user.type(retries, "3");
    await user.selectOptions(screen.getByLabelText("Wait unit after busy"), "hours");
    await user.type(screen.getByLabelText("SMS body"), "see you");
    expect(await screen.findByText(/Hi Ada, see you \(GSM-7, 1 segment\)/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save outreach flow" }));
    await waitFor(() => expect(save).toHaveBeenCalled());
    const flow = (save.mock.calls[0] as unknown as [{ flow: unknown[] }])[0].flow;
    expect(flow).toMatchObject([{ kind: "phone", agent_id: "agt_1", retries: { busy: { max_retries: 3, delay: { amount: 30, unit: "hours" } } } }, { kind: "sms", body: "Hi {{first_name}}, see you", delay: { amount: 1, unit: "days" } }]);
  });
  it("names a missing agent before saving", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer([])));
    const save = vi.fn(async () => ({}));
    render(<FlowSection campaign={campaign} save={save} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Add next outreach" }));
    await user.click(screen.getByRole("button", { name: "Save outreach flow" }));
    expect(await screen.findByText("Choose an agent")).toBeInTheDocument();
    expect(save).not.toHaveBeenCalled();
  });
});
