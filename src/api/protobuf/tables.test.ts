import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KINDS, MESSAGES } from './schema.js';

describe('generated protobuf tables', () => {
  it('are what scripts/gen-protobuf-tables.mjs makes from upstream/', () => {
    const script = fileURLToPath(new URL('../../../scripts/gen-protobuf-tables.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('hold every kind and every message a field refers to', () => {
    for (const m of Object.values(KINDS)) expect(MESSAGES[m]).toBeDefined();
    for (const [name, fields] of Object.entries(MESSAGES)) {
      for (const f of Object.values(fields)) if (typeof f.type === 'object') expect(MESSAGES[f.type.msg], `${name} -> ${f.type.msg}`).toBeDefined();
    }
  });

  it('carry the Go facts: pointers keep zeros, embedded structs inline, metav1.Time is one value', () => {
    expect(MESSAGES['core.v1.PodSpec'][21]).toEqual({ json: 'automountServiceAccountToken', type: 'bool', keep: true });
    expect(MESSAGES['core.v1.PodSpec'][11]).toEqual({ json: 'hostNetwork', type: 'bool' });
    expect(MESSAGES['core.v1.ConfigMapKeySelector'][1]).toMatchObject({ inline: true, type: { msg: 'core.v1.LocalObjectReference' } });
    expect(MESSAGES['meta.v1.ObjectMeta'][8]).toEqual({ json: 'creationTimestamp', type: 'time' });
  });
});
