import { describe, it, expect, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  buildKubeconfig,
  kindContextName,
  kubeconfigPaths,
  pathForMerge,
  writeMergedKubeconfig,
  removeKindFromKubeconfigs,
  type Kubeconfig,
} from './kubeconfig.js';

const other = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: 'https://prod:6443'}
- name: kind-four-node-kind
  cluster: {server: 'https://old:1'}
users:
- name: prod
  user: {token: abc}
contexts:
- name: prod
  context: {cluster: prod, user: prod, namespace: team}
current-context: prod
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kindling-kc-'));
});

const read = (p: string) => parse(readFileSync(p, 'utf8')) as Kubeconfig;

describe('kubeconfig', () => {
  it('names everything kind-<cluster> and carries CA data and token', () => {
    const kc = buildKubeconfig({ cluster: 'four-node-kind', server: 'https://127.0.0.1:1234', caCert: 'PEM', token: 't0k' });
    expect(kindContextName('four-node-kind')).toBe('kind-four-node-kind');
    expect(kc['current-context']).toBe('kind-four-node-kind');
    expect(kc.clusters![0]).toEqual({
      name: 'kind-four-node-kind',
      cluster: { server: 'https://127.0.0.1:1234', 'certificate-authority-data': Buffer.from('PEM').toString('base64') },
    });
    expect(kc.users![0]).toEqual({ name: 'kind-four-node-kind', user: { token: 't0k' } });
    expect(kc.contexts![0]).toEqual({ name: 'kind-four-node-kind', context: { cluster: 'kind-four-node-kind', user: 'kind-four-node-kind' } });
  });

  it('merges into an existing file: others kept, same name replaced, current-context set', () => {
    const path = join(dir, 'config');
    writeFileSync(path, other);
    const kc = buildKubeconfig({ cluster: 'four-node-kind', server: 'https://127.0.0.1:9', token: 'x', caCert: 'C' });
    expect(writeMergedKubeconfig(kc, path)).toBe(path);
    const got = read(path);
    expect(got.clusters!.map((c) => c.name)).toEqual(['prod', 'kind-four-node-kind']);
    expect((got.clusters![1].cluster as { server: string }).server).toBe('https://127.0.0.1:9');
    expect(got.users!.map((c) => c.name)).toEqual(['prod', 'kind-four-node-kind']);
    expect(got.contexts![0]).toEqual({ name: 'prod', context: { cluster: 'prod', user: 'prod', namespace: 'team' } });
    expect(got['current-context']).toBe('kind-four-node-kind');

    removeKindFromKubeconfigs('four-node-kind', path);
    const after = read(path);
    expect(after.clusters!.map((c) => c.name)).toEqual(['prod']);
    expect(after.users!.map((c) => c.name)).toEqual(['prod']);
    expect(after.contexts!.map((c) => c.name)).toEqual(['prod']);
    expect(after['current-context']).toBe('');
  });

  it('creates the file (and its folder) when missing', () => {
    const path = join(dir, 'nested', 'kube', 'config');
    writeMergedKubeconfig(buildKubeconfig({ cluster: 'kind', server: 'http://127.0.0.1:1' }), path);
    const got = read(path);
    expect(got.contexts!.map((c) => c.name)).toEqual(['kind-kind']);
    expect(got.users![0].user).toEqual({});
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('KUBECONFIG with several paths: writes the first that exists, else the last; --kubeconfig wins', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const c = join(dir, 'c');
    const env = { KUBECONFIG: [a, b, c, a, ''].join(':'), HOME: dir };
    expect(kubeconfigPaths(undefined, env)).toEqual([a, b, c]);
    expect(pathForMerge(undefined, env)).toBe(c);
    writeFileSync(b, other);
    expect(pathForMerge(undefined, env)).toBe(b);
    writeFileSync(a, '');
    expect(pathForMerge(undefined, env)).toBe(a);
    expect(pathForMerge(join(dir, 'x'), env)).toBe(join(dir, 'x'));
    expect(pathForMerge(undefined, { HOME: dir })).toBe(join(dir, '.kube', 'config'));

    // writing with that env goes to a (exists, empty) and leaves b untouched
    writeMergedKubeconfig(buildKubeconfig({ cluster: 'kind', server: 'http://h' }), undefined, env);
    expect(read(a)['current-context']).toBe('kind-kind');
    expect(readFileSync(b, 'utf8')).toBe(other);
    expect(existsSync(c)).toBe(false);
  });
});
