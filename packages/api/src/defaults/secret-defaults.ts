type Obj = Record<string, unknown>;

function rec(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

/**
 * Secret: `type` defaults to Opaque (SetDefaults_Secret), and the write-only `stringData` is
 * merged into `data` as base64, its keys overwriting `data`'s, then dropped — what the v1 →
 * internal conversion does, so neither validation nor the store ever sees `stringData`.
 * Non-string values are left for validation to report.
 */
export function defaultSecret(s: Obj): void {
  if (s.type == null || s.type === '') s.type = 'Opaque';
  const stringData = rec(s.stringData);
  if (!stringData) {
    if (s.stringData === null) delete s.stringData;
    return;
  }
  const data = rec(s.data) ?? {};
  for (const [k, v] of Object.entries(stringData)) {
    if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  }
  s.data = data;
  delete s.stringData;
}
