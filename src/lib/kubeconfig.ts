// Kubeconfig files: written for kubectl, read by Skiff's own client.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

export interface KubeconfigCredentials {
  server: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function renderKubeconfig(c: KubeconfigCredentials, options: { name?: string; namespace?: string } = {}): string {
  const name = options.name ?? 'skiff';
  const user: Record<string, string> = {};
  if (c.certPem) user['client-certificate-data'] = b64(c.certPem);
  if (c.keyPem) user['client-key-data'] = b64(c.keyPem);
  if (c.token) user.token = c.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: c.server, 'certificate-authority-data': b64(c.caPem) } }],
    users: [{ name: `${name}-admin`, user }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: options.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

export function readKubeconfig(path: string): KubeconfigCredentials {
  const doc = parse(readFileSync(path, 'utf8')) as {
    clusters: { name: string; cluster: Record<string, string> }[];
    users: { name: string; user: Record<string, string> }[];
    contexts: { name: string; context: { cluster: string; user: string } }[];
    'current-context': string;
  };
  const ctx = doc.contexts.find((c) => c.name === doc['current-context']) ?? doc.contexts[0];
  const cluster = doc.clusters.find((c) => c.name === ctx.context.cluster)!.cluster;
  const user = doc.users.find((u) => u.name === ctx.context.user)?.user ?? {};
  const fromB64 = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString('utf8') : undefined);
  const fromFile = (v: string | undefined) => (v ? readFileSync(v, 'utf8') : undefined);
  return {
    server: cluster.server,
    caPem: fromB64(cluster['certificate-authority-data']) ?? fromFile(cluster['certificate-authority']) ?? '',
    certPem: fromB64(user['client-certificate-data']) ?? fromFile(user['client-certificate']),
    keyPem: fromB64(user['client-key-data']) ?? fromFile(user['client-key']),
    token: user.token,
  };
}
