// The README's commands, exactly as written and in order, in a fresh `git clone` of this checkout
// in another folder: the set-up line (npm ci && npx kindling create cluster ...), then every line
// of "## Then", once with each kubectl on PATH. `npm test`, the set-up's second line, is what is
// running this. npm ci runs for real; npm_config_prefer_offline lets it take packages from npm's
// cache, which the checkout's own npm ci filled.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, run, type CliResult } from './helpers/cli.js';
import { kubectls } from './helpers/kubectl.js';

/** the lines of the first ```bash block after a heading */
function block(readme: string, heading: string): string[] {
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no "${heading}"`);
  const m = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`no bash block after "${heading}"`);
  return m[1].split('\n').filter((l) => l.trim() !== '');
}

describe('README, in a fresh clone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-readme-'));
  const clone = join(dir, 'kindling');
  const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  let setup: string[] = [];
  let then: string[] = [];

  /** one README line through bash, in the clone, with this kubectl first on PATH */
  function sh(line: string, kubectlPath: string, state: string): Promise<CliResult> {
    const bin = join(state, 'bin');
    mkdirSync(bin, { recursive: true });
    rmSync(join(bin, 'kubectl'), { force: true });
    symlinkSync(kubectlPath, join(bin, 'kubectl'));
    return run('bash', ['-c', line], {
      cwd: clone,
      timeoutMs: 300_000,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: state,
        KINDLING_HOME: join(state, 'kindling'),
        KUBECONFIG: join(state, 'kubeconfig'),
        KIND_CLUSTER_NAME: '',
        npm_config_cache: npmCache,
        npm_config_prefer_offline: 'true',
      },
    });
  }

  beforeAll(async () => {
    const cloned = await run('git', ['clone', '-q', repoRoot, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    setup = block(readme, '## Set-up (a fresh machine with Node 20, npm and apt)');
    then = block(readme, '## Then');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('set-up: the two commands are npm ci && create cluster, then npm test', () => {
    expect(setup.map((l) => l.replace(/\s+#.*$/, ''))).toEqual(['npm ci && npx kindling create cluster --config examples/four-node.yaml', 'npm test']);
  });

  for (const [i, k] of kubectls().entries()) {
    it(`runs the set-up line and every "Then" line with kubectl ${k.version}`, async () => {
      const state = join(dir, `state-${k.version}`);
      // npm ci once (the first round); the later rounds run the set-up line's cluster half
      const first = i === 0 ? setup[0] : setup[0].replace(/^npm ci && /, '');
      const results: { line: string; r: CliResult }[] = [];
      try {
        for (const line of [first, ...then]) {
          const r = await sh(line, k.path, state);
          results.push({ line, r });
          expect(r.code, `${line}\n${r.stderr}${r.stdout}`).toBe(0);
        }
        const out = (prefix: string) => results.find((x) => x.line.startsWith(prefix))!.r;
        expect(out('kubectl get nodes -o wide').stdout.split('\n').filter((l) => / Ready /.test(l))).toHaveLength(4);
        expect(out('npx kindling get clusters').stdout).toBe('four-node-kind\n');
        expect(out('npx kindling add nodes').stderr).toContain('Added node "four-node-kind-worker6"');
        expect(out('kubectl get ds -A').stdout).toMatch(/kube-system +fluentd-elasticsearch +4 +4 /);
      } finally {
        await sh('npx kindling delete clusters --all', k.path, state);
      }
    }, 300_000);
  }
});
