/**
 * Time zone names as Go's `time.LoadLocation` accepts them (IANA names, case-sensitive), checked
 * through the runtime's ICU data so no zoneinfo files are read.
 */

let canonical: Set<string> | undefined;
let lowerToCanonical: Map<string, string> | undefined;

function tables(): [Set<string>, Map<string, string>] {
  if (!canonical || !lowerToCanonical) {
    const names = Intl.supportedValuesOf('timeZone');
    canonical = new Set(names);
    lowerToCanonical = new Map(names.map((n) => [n.toLowerCase(), n]));
  }
  return [canonical, lowerToCanonical];
}

function icuAccepts(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `zone` names a real IANA time zone, spelled as the tz database spells it ("UTC",
 * "Etc/UTC", "America/New_York", "US/Eastern"). ICU resolves names case-insensitively but Go does
 * not, so a known name in the wrong case ("america/new_york", "utc") is rejected. "Local" is not a
 * zone here (Go's special local zone is the CronJob API's separate error).
 */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone || zone === 'Local') return false;
  const [names, lower] = tables();
  if (names.has(zone)) return true;
  const differentCase = lower.get(zone.toLowerCase());
  if (differentCase !== undefined && differentCase !== zone) return false;
  // Aliases (UTC, Etc/UTC, US/Eastern, GMT, EST5EDT) are not in the canonical list; every tz
  // database name part starts with an upper-case letter.
  if (zone.split('/').some((part) => !/^[A-Z]/.test(part))) return false;
  return icuAccepts(zone);
}
