import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { globMatch, loadLifecycleRules, resolveBehaviour, type LifecycleRules } from './rules.js';

const pod = { namespace: 'default', name: 'web-1', labels: { app: 'web' } };

describe('lifecycle rules', () => {
  it('globs', () => {
    expect(globMatch('nginx*', 'nginx:1.25')).toBe(true);
    expect(globMatch('*:non-existent', 'foo:non-existent')).toBe(true);
    expect(globMatch('busybox', 'busybox:1')).toBe(false);
    expect(globMatch('a?c', 'abc')).toBe(true);
  });
  it('defaults: ready at once, no logs, small usage', () => {
    const b = resolveBehaviour([], pod, { name: 'c', image: 'nginx' });
    expect(b).toMatchObject({ pull: { delayMs: 0 }, start: { delayMs: 0 }, ready: { delayMs: 0 }, logs: [], usage: { cpu: '1m', memory: '5Mi' } });
    expect(b.pull.fail).toBeUndefined();
    expect(b.exit).toBeUndefined();
  });
  it.each(['foo:non-existent', 'registry.k8s.io/non-existent-image:1', 'doesnotexist/app:v1'])('default rule: %s fails to pull', (image) => {
    expect(resolveBehaviour([], pod, { name: 'c', image }).pull.fail).toBe('ErrImagePull');
  });
  it('first matching rule wins per field', () => {
    const rules: LifecycleRules = [
      { name: 'slow-web', match: { labels: { app: 'web' } }, start: { delayMs: 5000 } },
      { name: 'all', start: { delayMs: 1 }, ready: { delayMs: 2000 }, logs: ['hello'] },
      { name: 'other-ns', match: { namespace: 'kube-system' }, exit: { afterMs: 1, code: 1 } },
    ];
    const b = resolveBehaviour(rules, pod, { name: 'c', image: 'nginx' });
    expect(b.start.delayMs).toBe(5000);
    expect(b.ready.delayMs).toBe(2000);
    expect(b.logs).toEqual(['hello']);
    expect(b.exit).toBeUndefined();
    expect(resolveBehaviour(rules, { ...pod, labels: {} }, { name: 'c', image: 'nginx' }).start.delayMs).toBe(1);
  });
  it('user rules override the default pull failure', () => {
    const b = resolveBehaviour([{ name: 'ok', match: { image: 'foo:*' }, pull: { delayMs: 10 } }], pod, { name: 'c', image: 'foo:non-existent' });
    expect(b.pull).toEqual({ delayMs: 10 });
  });
  it('loads YAML and rejects malformed rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const f = join(dir, 'r.yaml');
    writeFileSync(f, 'rules:\n- name: crash\n  match: {image: "busybox*"}\n  exit: {afterMs: 1000, code: 1}\n');
    expect(loadLifecycleRules(f)).toEqual([{ name: 'crash', match: { image: 'busybox*' }, exit: { afterMs: 1000, code: 1 } }]);
    writeFileSync(f, '[{"name": "x", "exit": {"code": 1}}]');
    expect(() => loadLifecycleRules(f)).toThrow('lifecycle rules[0] (x): exit needs afterMs and code');
  });
});
