/**
 * Whether revision `a` is after revision `b`. Revisions (resourceVersions of this server, the
 * `rv`/`prev`/`last` of watch messages) are decimal integers without leading zeros, so a longer
 * string is larger and equal lengths compare as text: no BigInt per comparison on the watch path
 * (a watcher compares two or three per event). Anything else compares as BigInt, 0 when not a number.
 */
export function revisionAfter(a: string, b: string): boolean {
  if (DECIMAL.test(a) && DECIMAL.test(b)) return a.length !== b.length ? a.length > b.length : a > b;
  return asBigInt(a) > asBigInt(b);
}

const DECIMAL = /^(0|[1-9]\d*)$/;

function asBigInt(s: string): bigint {
  try {
    return BigInt(s);
  } catch {
    return 0n;
  }
}
