// The example controller against a kindling cluster in this process: startCluster installs the
// Greeting CRD and waits until it is served (as envtest's CRDInstallOptions), the controller
// talks to the cluster through @kubernetes/client-node only. In your project, import
// startCluster from 'kindling' instead of the source path.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { startCluster, type StartedCluster } from '../../src/index.js';
import { GROUP, PLURAL, VERSION, GreetingController, type Greeting } from './controller.js';

const CRD = fileURLToPath(new URL('./crd.yaml', import.meta.url));

/** poll until fn returns something truthy (controllers converge; tests wait for them) */
async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let cluster: StartedCluster;
let controller: GreetingController;
let core: CoreV1Api;
let custom: CustomObjectsApi;

beforeAll(async () => {
  cluster = await startCluster({ name: 'greetings', crds: [CRD] });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  controller = new GreetingController(kc);
  await controller.start();
});

afterAll(async () => {
  await controller?.stop();
  await cluster?.stop();
});

const greeting = (name: string, message: string): Greeting => ({ apiVersion: `${GROUP}/${VERSION}`, kind: 'Greeting', metadata: { name }, spec: { message } });
const getGreeting = (name: string) => custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, name }) as Promise<Greeting>;
const configMap = (name: string) => core.readNamespacedConfigMap({ name, namespace: 'default' }).catch(() => undefined) as Promise<V1ConfigMap | undefined>;

describe('GreetingController', () => {
  it('makes an owned ConfigMap for a Greeting and reports Ready', async () => {
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, body: greeting('hello', 'hello, world') });
    const cm = await eventually(() => configMap('greeting-hello'));
    expect(cm.data).toEqual({ message: 'hello, world' });
    const owner = cm.metadata?.ownerReferences?.[0];
    expect(owner).toMatchObject({ apiVersion: 'demo.kindling.dev/v1', kind: 'Greeting', name: 'hello', controller: true, blockOwnerDeletion: true });
    const ready = await eventually(async () => {
      const g = await getGreeting('hello');
      return g.status?.observedGeneration === 1 && g;
    });
    // the schema's default and the status the controller wrote
    expect(ready.spec).toEqual({ message: 'hello, world', shout: false });
    expect(ready.status?.configMap).toBe('greeting-hello');
    expect(ready.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', reason: 'ConfigMapReady' });
    expect(owner?.uid).toBe(ready.metadata?.uid);
  });

  it('follows changes to the Greeting (a new generation)', async () => {
    await custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, name: 'hello', body: { spec: { shout: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await eventually(async () => (await configMap('greeting-hello'))?.data?.message === 'HELLO, WORLD');
    await eventually(async () => (await getGreeting('hello')).status?.observedGeneration === 2);
  });

  it('puts back a ConfigMap someone deleted', async () => {
    const before = await configMap('greeting-hello');
    await core.deleteNamespacedConfigMap({ name: 'greeting-hello', namespace: 'default' });
    const after = await eventually(async () => {
      const cm = await configMap('greeting-hello');
      return cm && cm.metadata?.uid !== before?.metadata?.uid && cm;
    });
    expect(after.data?.message).toBe('HELLO, WORLD');
  });

  it('cannot create a Greeting the schema refuses (422 with the field path)', async () => {
    const err = await custom
      .createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, body: greeting('empty', '') })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    const status = JSON.parse((err as ApiException<string>).body);
    expect((err as ApiException<string>).code).toBe(422);
    expect(status.reason).toBe('Invalid');
    expect(status.details.causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "": spec.message in body should be at least 1 chars long', field: 'spec.message' },
    ]);
  });

  it('leaves the ConfigMap to the garbage collector when the Greeting goes', async () => {
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'default', plural: PLURAL, name: 'hello' });
    await eventually(async () => (await configMap('greeting-hello')) === undefined && true);
  });
});
