// kindling as a user installs it: `npm pack`, `npm install <tarball>` in an empty folder outside
// the checkout, then the installed `npx kindling create cluster` with both kubectls, and the
// library (`import { startCluster } from 'kindling'`) with the official client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, ensureBuilt, run } from './helpers/cli.js';
import { kubectls } from './helpers/kubectl.js';

// the client version kindling's own tests use (package.json devDependencies)
const CLIENT = '@kubernetes/client-node@1.4.0';

describe('npm pack, npm install, run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-install-'));
  const app = join(dir, 'app');
  let tarball = '';

  beforeAll(async () => {
    await ensureBuilt();
    // dist is current (ensureBuilt): skip prepare's rebuild
    const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
    expect(pack.code, pack.stderr).toBe(0);
    tarball = join(dir, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);
    writeFileSync(join(dir, 'package.json'), '{}'); // keeps npm from walking up to another project
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'kindling-user', private: true, type: 'module' }));
    // offline from npm's cache when it has the packages (it does after the checkout's npm ci)
    const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, CLIENT], { cwd: app, timeoutMs: 180_000 });
    expect(install.code, install.stderr).toBe(0);
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships dist with its data and nothing of the checkout', async () => {
    const list = await run('tar', ['-tzf', tarball]);
    const files = list.stdout.split('\n');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/api/openapi/data/swagger.json.gz');
    expect(files).toContain('package/dist/nodes/process/sandbox.sh');
    expect(files.filter((f) => /\.test\.|^package\/(src|test|bench)\//.test(f))).toEqual([]);
  });

  it('npx kindling create cluster; kubectl get nodes (each kubectl); delete cluster', async () => {
    const e = cliEnv();
    const npx = (...args: string[]) => run('npx', ['--no-install', 'kindling', ...args], { cwd: app, env: e.env });
    const created = await npx('create', 'cluster');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain('Set kubectl context to "kind-kind"');
    try {
      for (const k of kubectls()) {
        const nodes = await run(k.path, ['get', 'nodes'], { cwd: app, env: { ...e.env, HOME: dir } });
        expect(nodes.stderr, `kubectl ${k.version}`).toBe('');
        expect(nodes.stdout, `kubectl ${k.version}`).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION\nkind-control-plane +Ready +control-plane +\S+ +v1\.32\.4\n$/);
      }
    } finally {
      const deleted = await npx('delete', 'cluster');
      expect(deleted.stderr).toBe('Deleting cluster "kind" ...\nDeleted nodes: ["kind-control-plane"]\n');
    }
  });

  it("import { startCluster } from 'kindling', with @kubernetes/client-node", async () => {
    writeFileSync(
      join(app, 'envtest.mjs'),
      [
        "import { startCluster } from 'kindling';",
        "import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';",
        'const cluster = await startCluster({ workers: 2 });',
        'try {',
        '  const kc = new KubeConfig();',
        '  kc.loadFromFile(cluster.kubeconfigPath);',
        '  const nodes = await kc.makeApiClient(CoreV1Api).listNode();',
        "  console.log(nodes.items.map((n) => n.metadata.name).join(' '));",
        '} finally {',
        '  await cluster.stop();',
        '}',
      ].join('\n'),
    );
    const r = await run(process.execPath, ['envtest.mjs'], { cwd: app });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('kind-control-plane kind-worker kind-worker2\n');
  });
});
