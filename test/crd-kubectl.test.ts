// CustomResourceDefinitions end to end with both kubectls: a CRD becomes Established and its
// resource appears in discovery; custom objects are created, printed with the CRD's columns,
// validated with upstream's messages and field paths, patched, scaled and explained; an
// invalid CRD is refused; deleting the CRD deletes its objects.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from './helpers/apiserver.js';
import { KubectlRunner, kubectls, parseTable, eventually } from './helpers/kubectl.js';

const CRONTAB_CRD = readFileSync(new URL('./data/crds/crontab.yaml', import.meta.url), 'utf8');

const cronTab = (name: string, spec: string) => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
spec:
${spec}`;

let api: TestApiServer;
beforeAll(async () => {
  api = await startTestApiServer();
});
afterAll(async () => {
  await api?.close();
});

describe.each(kubectls())('kubectl $version with a CustomResourceDefinition', (k) => {
  let kc: KubectlRunner;
  beforeAll(async () => {
    kc = new KubectlRunner(k, api.kubeconfig);
    // one CRD for both kubectls: the first run creates it, the second finds it unchanged
    await kc.ok(['apply', '-f', kc.file('crd.yaml', CRONTAB_CRD)]);
    await kc.ok(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=10s']);
  });

  it('is Established with accepted names and served in discovery', async () => {
    const status = JSON.parse(await kc.ok(['get', 'crd', 'crontabs.stable.example.com', '-o', 'jsonpath={.status}']));
    expect(status.acceptedNames).toMatchObject({ kind: 'CronTab', plural: 'crontabs', singular: 'crontab', shortNames: ['ct'], listKind: 'CronTabList' });
    expect(status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'True', 'NoConflicts'],
      ['Established', 'True', 'InitialNamesAccepted'],
    ]);
    expect(status.storedVersions).toEqual(['v1']);
    const resources = parseTable(await kc.ok(['api-resources', '--api-group=stable.example.com']));
    expect(resources[1]).toEqual(['crontabs', 'ct', 'stable.example.com/v1', 'true', 'CronTab']);
  });

  it('creates custom objects, defaults them and prints the CRD columns', async () => {
    const name = `cron-${k.version.replace('.', '')}`;
    await kc.ok(['apply', '-f', kc.file('ct.yaml', cronTab(name, '  cronSpec: "* * * * */5"\n  image: my-cron-image\n'))]);
    const obj = JSON.parse(await kc.ok(['get', 'ct', name, '-o', 'json']));
    expect(obj.spec).toEqual({ cronSpec: '* * * * */5', image: 'my-cron-image', replicas: 1 });
    expect(obj.metadata.generation).toBe(1);
    const rows = parseTable(await kc.ok(['get', 'crontabs', name]));
    expect(rows[0]).toEqual(['NAME', 'SPEC', 'REPLICAS', 'AGE']);
    expect(rows[1].slice(0, 3)).toEqual([name, '* * * * */5', '1']);
    // categories: `all` includes crontabs
    expect(await kc.ok(['get', 'all'])).toContain(`crontab.stable.example.com/${name}`);
  });

  it('get -w prints new objects with the CRD columns', async () => {
    const name = `watch-${k.version.replace('.', '')}`;
    const w = kc.spawn(['get', 'ct', '-w', '--field-selector', `metadata.name=${name}`]);
    try {
      // listed first or watched after: either way kubectl prints the row
      await kc.ok(['create', '-f', kc.file('w.yaml', cronTab(name, '  cronSpec: "0 * * * *"\n  image: img\n'))]);
      const out = await eventually(async () => w.output().includes(name) && w.output());
      expect(out).toMatch(new RegExp(`${name}\\s+0 \\* \\* \\* \\*\\s+1\\s+`));
    } finally {
      w.stop();
    }
  });

  it('refuses an object that fails its schema with 422 and upstream field paths', async () => {
    const bad = kc.file('bad.yaml', cronTab('bad', '  cronSpec: "nope"\n  replicas: 0\n'));
    const r = await kc.run(['create', '--validate=false', '-f', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The CronTab "bad" is invalid');
    expect(r.stderr).toContain('spec.image: Required value');
    expect(r.stderr).toContain(`spec.cronSpec: Invalid value: "nope": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'`);
    expect(r.stderr).toContain('spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1');
    expect((await kc.run(['get', 'ct', 'bad'])).code).not.toBe(0);
  });

  it('patches (merge and JSON; strategic refused), checks CEL rules and scales', async () => {
    const name = `patch-${k.version.replace('.', '')}`;
    await kc.ok(['create', '-f', kc.file('p.yaml', cronTab(name, '  image: img\n'))]);
    await kc.ok(['patch', 'ct', name, '--type=merge', '-p', '{"spec":{"replicas":3}}']);
    await kc.ok(['patch', 'ct', name, '--type=json', '-p', '[{"op":"replace","path":"/spec/image","value":"img2"}]']);
    const cel = await kc.run(['patch', 'ct', name, '--type=merge', '-p', '{"spec":{"replicas":11}}']);
    expect(cel.stderr).toContain(`The CronTab "${name}" is invalid: spec: Invalid value: "object": replicas must be at most 10`);
    const smp = await kc.run(['patch', 'ct', name, '-p', '{"spec":{"replicas":2}}']);
    expect(smp.stderr).toContain('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    await kc.ok(['scale', 'ct', name, '--replicas=5']);
    const obj = JSON.parse(await kc.ok(['get', 'ct', name, '-o', 'json']));
    expect(obj.spec).toMatchObject({ image: 'img2', replicas: 5 });
    expect(obj.metadata.generation).toBe(4);
  });

  it('explains the schema', async () => {
    const out = await kc.ok(['explain', 'crontab.spec']);
    expect(out).toContain('cronSpec');
    expect(out).toMatch(/image\s+<string> -required-/);
  });

  it('refuses an invalid CRD with upstream messages', async () => {
    const r = await kc.run(['create', '-f', kc.file('bad-crd.yaml', `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example
  scope: Namespaced
  names: {plural: gadgets, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: false
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            properties:
              size: {type: integer}
`)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The CustomResourceDefinition "widgets.example.com" is invalid');
    expect(r.stderr).toContain('metadata.name: Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group');
    expect(r.stderr).toContain('spec.group: Invalid value: "example": should be a domain with at least one dot');
    expect(r.stderr).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields');
    expect(r.stderr).toContain('must have exactly one version marked as storage version');
  });
});

describe('deleting a CRD', () => {
  it('deletes its objects (Terminating, cleanup finalizer) and leaves discovery', async () => {
    const kc = new KubectlRunner(kubectls()[0], api.kubeconfig);
    const crd = CRONTAB_CRD.replaceAll('crontabs', 'sweeps').replaceAll('crontab', 'sweep').replaceAll('CronTab', 'Sweep').replace('- ct', '- sw');
    await kc.ok(['apply', '-f', kc.file('sweep-crd.yaml', crd)]);
    await kc.ok(['wait', '--for=condition=Established', 'crd/sweeps.stable.example.com', '--timeout=10s']);
    await kc.ok(['create', '-f', kc.file('sw.yaml', 'apiVersion: stable.example.com/v1\nkind: Sweep\nmetadata:\n  name: s1\n  finalizers: [example.com/hold]\nspec:\n  image: x\n')]);
    await kc.ok(['delete', 'crd', 'sweeps.stable.example.com', '--wait=false']);
    const terminating = await eventually(async () => {
      const crdNow = JSON.parse(await kc.ok(['get', 'crd', 'sweeps.stable.example.com', '-o', 'json']));
      return crdNow.status.conditions.find((c: { type: string; reason: string }) => c.type === 'Terminating' && c.reason === 'InstanceDeletionInProgress') && crdNow;
    });
    expect(terminating.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    const create = await kc.run(['create', '-f', kc.file('sw2.yaml', 'apiVersion: stable.example.com/v1\nkind: Sweep\nmetadata:\n  name: s2\nspec:\n  image: x\n')]);
    expect(create.stderr).toContain('create not allowed while custom resource definition is terminating');
    await kc.ok(['patch', 'sweep', 's1', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    await eventually(async () => (await kc.run(['get', 'crd', 'sweeps.stable.example.com'])).code !== 0);
    const gone = await kc.run(['get', '--raw', '/apis/stable.example.com/v1']);
    expect(gone.stdout).not.toContain('sweeps');
  });
});
