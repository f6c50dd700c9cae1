import { promises as dns } from 'node:dns';

const TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SRV', 'TXT'] as const;
type RrType = (typeof TYPES)[number];

/**
 * kuard's DNS query (`pkg/dnsapi`), reduced: resolves through the system resolver and prints an
 * answer section in dig-like text (kuard prints miekg/dns's full message dump). Throws with
 * kuard's "Unknown DNS type" for unsupported types.
 */
export async function dnsQuery(type: string, name: string): Promise<string> {
  const t = type.toUpperCase() as RrType;
  if (!TYPES.includes(t)) throw new Error(`Unknown DNS type: ${type}`);
  const fqdn = name === '' ? '.' : name.endsWith('.') ? name : name + '.';
  const answers = (await dns.resolve(fqdn.slice(0, -1) || '.', t)) as unknown[];
  const lines = answers.map((a) => `${fqdn}\t0\tIN\t${t}\t${typeof a === 'string' ? a : Array.isArray(a) ? a.join(' ') : JSON.stringify(a)}`);
  return `;; QUESTION SECTION:\n;${fqdn}\tIN\t ${t}\n\n;; ANSWER SECTION:\n${lines.join('\n')}\n`;
}
