// The public API, typed from the gateway's OpenAPI document (src/api/schema.d.ts is generated: `make console-api`).
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  credentials: "same-origin",
  fetch: (request: Request) => globalThis.fetch(request), // looked up per call (tests replace it)
});

export type Schemas = components["schemas"];
export type Campaign = Schemas["Campaign"];
export type CampaignSpec = Schemas["CampaignSpec"];
export type ContactWindow = Schemas["ContactWindow"];
export type Overview = Schemas["Overview"];
export type ImportJob = Schemas["ImportJob"];
export type ImportPreview = Schemas["ImportPreview"];
export type Step = Schemas["PhoneStep"] | Schemas["SmsStep"] | Schemas["EmailStep"];
