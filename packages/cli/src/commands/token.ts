import type { Command } from 'commander';
import { goDurationMs, humanDuration, type ConfigMap, type KList, type Secret } from '@kjobs/api';
import {
  BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_TOKEN_SECRET_TYPE, bootstrapTokenFields, bootstrapTokenSecret, bootstrapTokenSecretName,
  caCertHash, generateBootstrapToken, parseBootstrapToken,
} from '@kjobs/client';
import { CliError } from '../errors.js';
import type { ProgramContext } from '../program.js';
import type { Session } from '../session.js';

const SECRETS = `/api/v1/namespaces/${BOOTSTRAP_TOKEN_NAMESPACE}/secrets`;

/** Register `kjobs token create|list|delete` (kubeadm's `token` commands, against the API). */
export function registerToken(program: Command, ctx: ProgramContext): void {
  const token = program.command('token').description('Manage node bootstrap tokens (kubeadm token): a node joins the cluster with one');
  token
    .command('create [token]')
    .description('Create a bootstrap token (a Secret kube-system/bootstrap-token-<id>); prints it, or the join command')
    .option('--ttl <duration>', 'how long the token is valid (0: forever)', '24h0m0s')
    .option('--description <text>', 'a human-readable note on the token')
    .option('--print-join-command', 'print the whole command (environment) that joins a kubelet-agent to this cluster')
    .addHelpText('after', `
Examples:
  # A token valid for 24 hours, and the command that joins a node on another host with it
  kjobs token create --print-join-command

  # Revoke it (or let it expire)
  kjobs token delete abcdef`)
    .action(async (given: string | undefined, o: { ttl: string; description?: string; printJoinCommand?: boolean }, cmd: Command) => {
      await ctx.run(cmd, (s) => runTokenCreate(s, given, o));
    });
  token
    .command('list')
    .description('List bootstrap tokens')
    .action(async (_o: unknown, cmd: Command) => {
      await ctx.run(cmd, (s) => runTokenList(s));
    });
  token
    .command('delete <token-id-or-token...>')
    .description('Delete (revoke) bootstrap tokens')
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      await ctx.run(cmd, (s) => runTokenDelete(s, ids));
    });
}

/** `kjobs token create`: the Secret, then the token (or the join command). */
export async function runTokenCreate(s: Session, given: string | undefined, o: { ttl: string; description?: string; printJoinCommand?: boolean }): Promise<number> {
  const ttlMs = o.ttl === '0' ? 0 : goDurationMs(o.ttl);
  if (ttlMs === undefined) throw new CliError(`invalid argument "${o.ttl}" for "--ttl" flag: time: invalid duration "${o.ttl}"`);
  const token = given ?? generateBootstrapToken();
  if (!parseBootstrapToken(token)) throw new CliError(`the token "${token}" is not of the form [a-z0-9]{6}.[a-z0-9]{16}`);
  // Read before writing: a join command that cannot be printed must not leave a token behind.
  const join = o.printJoinCommand ? await clusterInfo(s) : undefined;
  await s.rest.request('POST', SECRETS, { body: bootstrapTokenSecret(token, { ttlMs, now: s.io.now(), description: o.description }) });
  if (!join) {
    s.io.out(`${token}\n`);
    return 0;
  }
  const pin = join.caPem ? `KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH=${caCertHash(join.caPem)}` : 'KJOBS_DISCOVERY_TOKEN_UNSAFE_SKIP_CA_VERIFICATION=true';
  s.io.out(`NATS_URL=${join.nats} KJOBS_JOIN_TOKEN=${token} ${pin} NODE_NAME=<node name> node services/kubelet-agent/dist/main.mjs\n`);
  return 0;
}

/** The cluster's public facts (kube-public/cluster-info, written by the api-server). */
async function clusterInfo(s: Session): Promise<{ nats: string; caPem?: string }> {
  const cm = await s.rest.request<ConfigMap>('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info');
  const kubeconfig = JSON.parse(cm.data?.kubeconfig ?? '{}') as { clusters?: { cluster?: Record<string, string> }[] };
  const ca = kubeconfig.clusters?.[0]?.cluster?.['certificate-authority-data'];
  if (!cm.data?.nats) throw new CliError('kube-public/cluster-info names no NATS URL (is the api-server new enough?)');
  return { nats: cm.data.nats, ...(ca ? { caPem: Buffer.from(ca, 'base64').toString('utf8') } : {}) };
}

/** `kjobs token list`: kubeadm's columns. */
export async function runTokenList(s: Session): Promise<number> {
  const list = await s.rest.request<KList<Secret>>('GET', SECRETS);
  const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
  for (const sec of list.items.filter((x) => x.type === BOOTSTRAP_TOKEN_SECRET_TYPE)) {
    const f = bootstrapTokenFields(sec);
    const exp = f.expiration ? Date.parse(f.expiration) : undefined;
    const ttl = exp === undefined ? '<forever>' : exp <= s.io.now().getTime() ? '<invalid>' : humanDuration(exp - s.io.now().getTime());
    const usages = Object.keys(f).filter((k) => k.startsWith('usage-bootstrap-') && f[k] === 'true').map((k) => k.slice('usage-bootstrap-'.length)).join(',');
    rows.push([`${f['token-id']}.<secret>`, ttl, f.expiration ?? '<never>', usages, f.description ?? '<none>', f['auth-extra-groups'] ?? '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) s.io.out(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')}\n`);
  return 0;
}

/** `kjobs token delete`: each id (or whole token) → its Secret deleted. */
export async function runTokenDelete(s: Session, ids: string[]): Promise<number> {
  for (const raw of ids) {
    const id = parseBootstrapToken(raw)?.id ?? raw;
    if (!/^[a-z0-9]{6}$/.test(id)) throw new CliError(`given token or token id "${raw}" didn't match pattern "[a-z0-9]{6}" or "[a-z0-9]{6}.[a-z0-9]{16}"`);
    await s.rest.request('DELETE', `${SECRETS}/${bootstrapTokenSecretName(id)}`);
    s.io.out(`bootstrap token "${id}" deleted\n`);
  }
  return 0;
}
