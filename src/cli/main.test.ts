import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import { parse } from 'yaml';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

function kindling(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function getJson(server: string, ca: string, token: string, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https
      .get(new URL(path, server), { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: b ? JSON.parse(b) : undefined }));
      })
      .on('error', reject);
  });
}

describe('kindling CLI', () => {
  it('create, get, add/delete node, stop/start, delete: like kind', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kindling-home-'));
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kindling-kc-')), 'config');
    const env = { KINDLING_HOME: home, KUBECONFIG: kubeconfig, KIND_CLUSTER_NAME: '' };
    const created = await kindling(env, 'create', 'cluster', '--config', join(examples, 'three-node.yaml'), '--name', 'cli');
    try {
      expect(created.code, created.stderr).toBe(0);
      expect(created.stderr).toContain('Creating cluster "cli" ...');
      expect(created.stderr).toContain(' ✓ Ensuring node image (kindest/node:v1.32.4) 🖼');
      expect(created.stderr).toContain(' ✓ Joining worker nodes 🚜');
      expect(created.stderr).toContain('Set kubectl context to "kind-cli"');
      expect(created.stderr).toContain('kubectl cluster-info --context kind-cli');
      expect(created.stderr.trimEnd().endsWith('Have a nice day! 👋')).toBe(true);

      const kc = parse(readFileSync(kubeconfig, 'utf8'));
      expect(kc['current-context']).toBe('kind-cli');
      const server = kc.clusters[0].cluster.server as string;
      const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
      const token = kc.users[0].user.token as string;
      expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const nodes = await getJson(server, ca, token, '/api/v1/nodes');
      expect(nodes.body.items.map((n: any) => n.metadata.name)).toEqual(['cli-control-plane', 'cli-worker', 'cli-worker2']);
      expect((await getJson(server, ca, 'wrong', '/api/v1/nodes')).status).toBe(401);

      expect((await kindling(env, 'get', 'clusters')).stdout).toBe('cli\n');
      expect((await kindling(env, 'get', 'nodes', '--name', 'cli')).stdout).toBe('cli-control-plane\ncli-worker\ncli-worker2\n');
      const again = await kindling(env, 'create', 'cluster', '--name', 'cli');
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('ERROR: failed to create cluster: node(s) already exist for a cluster with the name "cli"');

      const add = await kindling(env, 'add', 'nodes', '--name', 'cli', '--label', 'disk=ssd');
      expect(add.code, add.stderr).toBe(0);
      const w3 = await getJson(server, ca, token, '/api/v1/nodes/cli-worker3');
      expect(w3.body.metadata.labels.disk).toBe('ssd');
      expect(w3.body.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');

      // a stopped cluster comes back with its objects
      expect((await kindling(env, 'stop', 'cluster', '--name', 'cli')).code).toBe(0);
      expect(existsSync(join(home, 'clusters', 'cli', 'server.json'))).toBe(false);
      expect((await kindling(env, 'start', 'cluster', '--name', 'cli')).code).toBe(0);
      expect((await getJson(server, ca, token, '/api/v1/nodes/cli-worker3')).body.metadata.labels.disk).toBe('ssd');

      expect((await kindling(env, 'delete', 'node', '--name', 'cli', 'cli-worker3')).code).toBe(0);
      expect((await getJson(server, ca, token, '/api/v1/nodes/cli-worker3')).status).toBe(404);
    } finally {
      const del = await kindling(env, 'delete', 'cluster', '--name', 'cli');
      expect(del.stderr).toContain('Deleting cluster "cli" ...');
    }
    expect((await kindling(env, 'get', 'clusters')).stderr).toBe('No kind clusters found.\n');
    const after = parse(readFileSync(kubeconfig, 'utf8'));
    expect(after.contexts).toEqual([]);
    expect(after['current-context']).toBe('');
  }, 120_000);
});
