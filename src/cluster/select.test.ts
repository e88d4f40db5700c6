import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectClusterName, selectExistingCluster } from './select.js';
import { clusterDir } from './state.js';

/** a KINDLING_HOME with these clusters (cluster.json only) and a kubeconfig whose current context is given */
function world(clusters: string[], context?: string) {
  const home = mkdtempSync(join(tmpdir(), 'kindling-select-'));
  for (const c of clusters) {
    mkdirSync(clusterDir(c, home), { recursive: true });
    writeFileSync(join(clusterDir(c, home), 'cluster.json'), '{}');
  }
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(kubeconfig, context ? `apiVersion: v1\nkind: Config\ncurrent-context: ${context}\n` : '');
  return { KINDLING_HOME: home, KUBECONFIG: kubeconfig, HOME: home } as Record<string, string | undefined>;
}

describe('selectClusterName (kind habits)', () => {
  it('--name first, then KIND_CLUSTER_NAME', () => {
    const env = world(['a', 'b'], 'kind-a');
    expect(selectClusterName({ name: 'x', env: { ...env, KIND_CLUSTER_NAME: 'y' } })).toBe('x');
    expect(selectClusterName({ env: { ...env, KIND_CLUSTER_NAME: 'y' } })).toBe('y');
  });
  it('then the current context when it is a kindling cluster', () => {
    expect(selectClusterName({ env: world(['a', 'b'], 'kind-b') })).toBe('b');
    // a kind-* context of a cluster kindling does not have, or another context, is not followed
    expect(selectClusterName({ env: world(['a', 'b'], 'kind-gone') })).toBe('kind');
    expect(selectClusterName({ env: world(['a', 'b'], 'prod') })).toBe('kind');
  });
  it('then the only cluster there is, else kind', () => {
    expect(selectClusterName({ env: world(['only'], 'prod') })).toBe('only');
    expect(selectClusterName({ env: world([]) })).toBe('kind');
  });
  it('--kubeconfig names the file whose context counts', () => {
    const env = world(['a', 'b'], 'kind-a');
    const other = join(env.KINDLING_HOME!, 'other');
    writeFileSync(other, 'current-context: kind-b\n');
    expect(selectClusterName({ kubeconfig: other, env })).toBe('b');
  });
});

describe('selectExistingCluster', () => {
  it('names the clusters that exist, in one line', () => {
    expect(() => selectExistingCluster({ name: 'nope', env: world(['a', 'b']) })).toThrow(
      'unknown cluster "nope": the clusters are "a", "b"; choose one with --name',
    );
    expect(() => selectExistingCluster({ env: world([]) })).toThrow('unknown cluster "kind": there are no clusters; create one with: kindling create cluster');
    expect(selectExistingCluster({ env: world(['a', 'b'], 'kind-a') }).name).toBe('a');
  });
});
