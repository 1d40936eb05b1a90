// Times are always shown with their zone.

export function inZone(iso: string | null | undefined, zone?: string): string {
  if (!iso) return "—";
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return at.toLocaleString("en-US", {
    timeZone: zone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
}

export function operatorZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export function allZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : ["America/New_York", "UTC"];
}

/** An ISO instant for a wall-clock date and time in `zone` ("2026-12-03", "09:30", "America/Chicago"). */
export function instantIn(date: string, time: string, zone: string): string {
  const wall = new Date(`${date}T${time}:00Z`);
  // The zone's offset at that moment: format the UTC guess in the zone and compare.
  const shown = new Date(wall.toLocaleString("en-US", { timeZone: zone }) + " UTC");
  const offset = shown.getTime() - wall.getTime();
  return new Date(wall.getTime() - offset).toISOString();
}
