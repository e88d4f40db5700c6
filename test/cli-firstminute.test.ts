// The user's first minute, as the README has it: `npx kindling create cluster --config
// examples/four-node.yaml` (npx finds the package's own bin), kubectl 1.20 and the newer one on
// the written kubeconfig, `kubectl cluster-info`, then kindling's get clusters / get nodes /
// delete cluster with kind's output.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { cliEnv, ensureBuilt, kindling, run, repoRoot, type CliEnv } from './helpers/cli.js';
import { KubectlRunner, kubectls, parseTable } from './helpers/kubectl.js';

const NAME = 'four-node-kind';
const CTX = `kind-${NAME}`;
const NODES = [`${NAME}-control-plane`, `${NAME}-worker`, `${NAME}-worker2`, `${NAME}-worker3`];
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('first minute with kindling', () => {
  let e: CliEnv;
  let created: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    await ensureBuilt();
    e = cliEnv();
    // exactly the README's command (after npm ci): npx resolves kindling to this package's bin
    created = await run('npx', ['--no-install', 'kindling', 'create', 'cluster', '--config', 'examples/four-node.yaml'], { env: e.env, cwd: repoRoot });
  }, 300_000);

  afterAll(async () => {
    if (e) await kindling(e, 'delete', 'cluster', '--name', NAME);
  }, 60_000);

  it('create cluster prints kind\'s progress and sets the context', () => {
    expect(created.code, created.stderr).toBe(0);
    const steps = [
      'Ensuring node image (kindest/node:v1.32.4) 🖼',
      `Preparing nodes ${'📦 '.repeat(4)}`,
      'Writing configuration 📜',
      'Starting control-plane 🕹️',
      'Installing CNI 🔌',
      'Installing StorageClass 💾',
      'Joining worker nodes 🚜',
    ];
    const lines = created.stderr.split('\n').filter((l) => !l.startsWith('npm warn'));
    expect(lines).toEqual([
      `Creating cluster "${NAME}" ...`,
      ...steps.flatMap((s) => [` • ${s}  ...`, ` ✓ ${s}`]),
      `Set kubectl context to "${CTX}"`,
      'You can now use your cluster with:',
      '',
      `kubectl cluster-info --context ${CTX}`,
      '',
      'Have a nice day! 👋',
      '',
    ]);
    const kc = parse(readFileSync(e.kubeconfig, 'utf8'));
    expect(kc['current-context']).toBe(CTX);
  });

  for (const kubectl of kubectls()) {
    describe(`kubectl ${kubectl.version}`, () => {
      it('sees four Ready nodes and the cluster-info of a kind cluster', async () => {
        const k = new KubectlRunner(kubectl, e.kubeconfig);
        const nodes = parseTable(await k.ok(['get', 'nodes']));
        expect(nodes.map((n) => n.slice(0, 3))).toEqual([
          ['NAME', 'STATUS', 'ROLES'],
          [NODES[0], 'Ready', 'control-plane'],
          [NODES[1], 'Ready', '<none>'],
          [NODES[2], 'Ready', '<none>'],
          [NODES[3], 'Ready', '<none>'],
        ]);
        const server = parse(readFileSync(e.kubeconfig, 'utf8')).clusters[0].cluster.server as string;
        expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const info = await k.run(['cluster-info', '--context', CTX]);
        expect(info.code, info.stderr).toBe(0);
        // kubectl lists kube-system Services labelled kubernetes.io/cluster-service=true by their
        // kubernetes.io/name label, through the proxy path of their first port
        expect(stripAnsi(info.stdout)).toBe(
          `Kubernetes control plane is running at ${server}\n` +
            `CoreDNS is running at ${server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n` +
            `\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n`,
        );
      });
    });
  }

  it('get clusters, get nodes, delete cluster: as kind', async () => {
    const clusters = await kindling(e, 'get', 'clusters');
    expect(clusters).toEqual({ code: 0, stdout: `${NAME}\n`, stderr: '' });
    const nodes = await kindling(e, 'get', 'nodes', '--name', NAME);
    expect(nodes).toEqual({ code: 0, stdout: NODES.map((n) => `${n}\n`).join(''), stderr: '' });

    const del = await kindling(e, 'delete', 'cluster', '--name', NAME);
    expect(del.code).toBe(0);
    expect(del.stderr).toBe(`Deleting cluster "${NAME}" ...\nDeleted nodes: [${NODES.map((n) => `"${n}"`).join(' ')}]\n`);
    expect(await kindling(e, 'get', 'clusters')).toEqual({ code: 0, stdout: '', stderr: 'No kind clusters found.\n' });
    const kc = parse(readFileSync(e.kubeconfig, 'utf8'));
    expect(kc.contexts).toEqual([]);
    expect(kc['current-context']).toBe('');
  });
});
