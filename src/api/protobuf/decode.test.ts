import { describe, it, expect } from 'vitest';
import protobuf from 'protobufjs';
import { ApiError } from '../errors.js';
import { decodeProtobufObject, isProtobufBody } from './decode.js';

const { Writer } = protobuf;

// A test-side encoder following generated.proto field numbers, built on protobufjs' Writer.
type F =
  | [number, 's', string]
  | [number, 'v', number | boolean]
  | [number, 'b', Uint8Array]
  | [number, 'm', F[]]
  | [number, 'map', Record<string, string | Uint8Array>];

function enc(fields: F[]): Uint8Array {
  const w = Writer.create();
  for (const [num, kind, value] of fields) {
    switch (kind) {
      case 's':
        w.uint32((num << 3) | 2).string(value);
        break;
      case 'v':
        w.uint32((num << 3) | 0);
        if (typeof value === 'boolean') w.bool(value);
        else w.int64(value);
        break;
      case 'b':
        w.uint32((num << 3) | 2).bytes(value);
        break;
      case 'm':
        w.uint32((num << 3) | 2).bytes(enc(value));
        break;
      case 'map':
        for (const [k, v] of Object.entries(value)) {
          const entry: F[] = [[1, 's', k], typeof v === 'string' ? [2, 's', v] : [2, 'b', v]];
          w.uint32((num << 3) | 2).bytes(enc(entry));
        }
        break;
    }
  }
  return w.finish();
}

/** k8s\0 + runtime.Unknown{TypeMeta, raw, "", ""} as kubectl sends it */
function body(apiVersion: string, kind: string, object: F[]): Buffer {
  const unknown = enc([
    [1, 'm', [[1, 's', apiVersion], [2, 's', kind]]],
    [2, 'b', enc(object)],
    [3, 's', ''],
    [4, 's', ''],
  ]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(unknown)]);
}

/** ObjectMeta as Go marshals it: every non-pointer scalar written, zero or not */
function meta(name: string, extra: F[] = []): F[] {
  return [[1, 's', name], [2, 's', ''], [3, 's', ''], [4, 's', ''], [5, 's', ''], [6, 's', ''], [7, 'v', 0], [8, 'm', []], ...extra];
}

describe('isProtobufBody', () => {
  it('recognizes the k8s\\0 magic', () => {
    expect(isProtobufBody(Buffer.from('6b38730012', 'hex'))).toBe(true);
    expect(isProtobufBody(Buffer.from('{"kind":"Namespace"}'))).toBe(false);
    expect(isProtobufBody(Buffer.from('k8s'))).toBe(false);
  });
});

describe('decodeProtobufObject', () => {
  it('decodes the exact body of `kubectl create ns logging` (spec/kubectl.md §1.5)', () => {
    const hex = '6b387300 0a0f0a027631 12094e616d657370616365 121f 0a170a076c6f6767696e67 1200 1a00 2200 2a00 3200 3800 4200 1200 1a020a00 1a00 2200';
    const obj = decodeProtobufObject(Buffer.from(hex.replace(/ /g, ''), 'hex'));
    expect(obj).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'logging' }, spec: {}, status: {} });
  });

  it('decodes a PriorityClass (kubectl create priorityclass high --value=1000000 --description=...)', () => {
    const buf = body('scheduling.k8s.io/v1', 'PriorityClass', [
      [1, 'm', meta('high')],
      [2, 'v', 1000000],
      [3, 'v', false],
      [4, 's', 'for critical pods'],
      [5, 's', 'PreemptLowerPriority'],
    ]);
    expect(decodeProtobufObject(buf)).toEqual({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'high' },
      value: 1000000,
      description: 'for critical pods',
      preemptionPolicy: 'PreemptLowerPriority',
    });
  });

  it('keeps value 0 and decodes negative int32 values', () => {
    expect(decodeProtobufObject(body('scheduling.k8s.io/v1', 'PriorityClass', [[1, 'm', meta('z')], [2, 'v', 0]])).value).toBe(0);
    expect(decodeProtobufObject(body('scheduling.k8s.io/v1', 'PriorityClass', [[1, 'm', meta('n')], [2, 'v', -5]])).value).toBe(-5);
  });

  it('decodes a ConfigMap with data and binaryData (base64, as JSON carries []byte)', () => {
    const buf = body('v1', 'ConfigMap', [
      [1, 'm', meta('cfg', [[3, 's', 'default']])],
      [2, 'map', { 'app.properties': 'a=1\n', mode: 'debug' }],
      [3, 'map', { blob: new Uint8Array([0, 1, 2, 255]) }],
    ]);
    expect(decodeProtobufObject(buf)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { 'app.properties': 'a=1\n', mode: 'debug' },
      binaryData: { blob: Buffer.from([0, 1, 2, 255]).toString('base64') },
    });
  });

  it('decodes a Deployment from `kubectl create deployment web --image=nginx --replicas=3 --port=80`', () => {
    const labels: F = [11, 'map', { app: 'web' }];
    const container: F[] = [
      [1, 's', 'nginx'],
      [2, 's', 'nginx'],
      [5, 's', ''],
      [6, 'm', [[1, 's', ''], [2, 'v', 0], [3, 'v', 80], [4, 's', ''], [5, 's', '']]],
      [8, 'm', []],
      [13, 's', ''],
      [14, 's', ''],
      [16, 'v', false],
      [17, 'v', false],
      [18, 'v', false],
      [20, 's', ''],
    ];
    const podSpec: F[] = [
      [2, 'm', container],
      [3, 's', ''],
      [6, 's', ''],
      [8, 's', ''],
      [9, 's', ''],
      [10, 's', ''],
      [11, 'v', false],
      [12, 'v', false],
      [13, 'v', false],
      [16, 's', ''],
      [17, 's', ''],
      [19, 's', ''],
      [24, 's', ''],
    ];
    const buf = body('apps/v1', 'Deployment', [
      [1, 'm', meta('web', [labels])],
      [
        2,
        'm',
        [
          [1, 'v', 3],
          [2, 'm', [[1, 'map', { app: 'web' }]]],
          [3, 'm', [[1, 'm', meta('', [labels])], [2, 'm', podSpec]]],
          [4, 'm', [[1, 's', '']]],
          [5, 'v', 0],
          [7, 'v', false],
        ],
      ],
      [3, 'm', [[1, 'v', 0], [2, 'v', 0]]],
      [99, 's', 'a field from the future'],
    ]);
    expect(decodeProtobufObject(buf)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('keeps --replicas=0 (a pointer field) and IntOrString rolling update values', () => {
    const buf = body('apps/v1', 'Deployment', [
      [1, 'm', meta('d')],
      [2, 'm', [[1, 'v', 0], [4, 'm', [[1, 's', 'RollingUpdate'], [2, 'm', [[1, 'm', [[1, 'v', 1], [3, 's', '25%']]], [2, 'm', [[1, 'v', 0], [2, 'v', 0]]]]]]]]],
    ]);
    const spec = decodeProtobufObject(buf).spec as Record<string, unknown>;
    expect(spec.replicas).toBe(0);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } });
  });

  it('decodes ObjectMeta ownerReferences, finalizers, annotations and creationTimestamp', () => {
    const buf = body('v1', 'ServiceAccount', [
      [
        1,
        'm',
        [
          [1, 's', 'builder'],
          [3, 's', 'ci'],
          [8, 'm', [[1, 'v', 1714564800], [2, 'v', 123]]],
          [12, 'map', { note: 'x' }],
          [13, 'm', [[1, 's', 'Job'], [3, 's', 'j'], [4, 's', 'uid-1'], [5, 's', 'batch/v1'], [6, 'v', true]]],
          [14, 's', 'example.com/a'],
          [14, 's', 'example.com/b'],
        ],
      ],
      [2, 'm', [[3, 's', 'token-x']]],
      [4, 'v', false],
    ]);
    expect(decodeProtobufObject(buf)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'builder',
        namespace: 'ci',
        creationTimestamp: '2024-05-01T12:00:00Z',
        annotations: { note: 'x' },
        ownerReferences: [{ kind: 'Job', name: 'j', uid: 'uid-1', apiVersion: 'batch/v1', controller: true }],
        finalizers: ['example.com/a', 'example.com/b'],
      },
      secrets: [{ name: 'token-x' }],
      automountServiceAccountToken: false,
    });
  });

  it('decodes a Secret (data as base64) and a Service with ports', () => {
    const secret = decodeProtobufObject(body('v1', 'Secret', [[1, 'm', meta('s')], [2, 'map', { password: new TextEncoder().encode('hunter2') }], [3, 's', 'Opaque']]));
    expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { password: 'aHVudGVyMg==' }, type: 'Opaque' });

    const svc = decodeProtobufObject(
      body('v1', 'Service', [
        [1, 'm', meta('web', [[11, 'map', { app: 'web' }]])],
        [
          2,
          'm',
          [
            [1, 'm', [[1, 's', '80-8080'], [2, 's', 'TCP'], [3, 'v', 80], [4, 'm', [[1, 'v', 0], [2, 'v', 8080]]], [5, 'v', 30080]]],
            [1, 'm', [[1, 's', 'metrics'], [2, 's', 'TCP'], [3, 'v', 9090], [4, 'm', [[1, 'v', 1], [3, 's', 'http-metrics']]], [5, 'v', 0]]],
            [2, 'map', { app: 'web' }],
            [3, 's', ''],
            [4, 's', 'NodePort'],
            [7, 's', ''],
          ],
        ],
        [3, 'm', [[1, 'm', []]]],
      ]),
    );
    expect(svc).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 },
          { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'http-metrics' },
        ],
        selector: { app: 'web' },
        type: 'NodePort',
      },
      status: { loadBalancer: {} },
    });
  });

  it('decodes an Eviction with DeleteOptions (kubectl drain), keeping gracePeriodSeconds 0', () => {
    const buf = body('policy/v1', 'Eviction', [
      [1, 'm', meta('fluentd-x', [[3, 's', 'kube-system']])],
      [2, 'm', [[1, 'v', 0], [5, 's', 'All']]],
    ]);
    expect(decodeProtobufObject(buf)).toEqual({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'fluentd-x', namespace: 'kube-system' },
      deleteOptions: { gracePeriodSeconds: 0, dryRun: ['All'] },
    });
  });

  it('decodes a Job (kubectl create job) with env from a ConfigMap key (inlined LocalObjectReference)', () => {
    const container: F[] = [
      [1, 's', 'pi'],
      [2, 's', 'perl'],
      [3, 's', 'perl'],
      [3, 's', '-e'],
      [7, 'm', [[1, 's', 'MODE'], [3, 'm', [[3, 'm', [[1, 'm', [[1, 's', 'cfg']]], [2, 's', 'mode']]]]]]],
      [8, 'm', []],
    ];
    const buf = body('batch/v1', 'Job', [
      [1, 'm', meta('pi')],
      [2, 'm', [[6, 'm', [[1, 'm', meta('')], [2, 'm', [[2, 'm', container], [3, 's', 'Never'], [4, 'v', 30]]]]], [7, 'v', 0]]],
      [3, 'm', []],
    ]);
    expect(decodeProtobufObject(buf)).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi' },
      spec: {
        template: {
          metadata: {},
          spec: {
            containers: [{ name: 'pi', image: 'perl', command: ['perl', '-e'], env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } }], resources: {} }],
            restartPolicy: 'Never',
            terminationGracePeriodSeconds: 30,
          },
        },
        backoffLimit: 0,
      },
      status: {},
    });
  });

  it('decodes a Pod volume (inlined VolumeSource) keeping the pointers set to zero and dropping omitempty zeros', () => {
    // Volume {1 name, 2 VolumeSource inline}; VolumeSource.configMap = 19; ConfigMapVolumeSource
    // {1 LocalObjectReference inline, 2 items, 3 *defaultMode, 4 *optional}; PodSpec.volumes = 1
    const volume: F[] = [
      [1, 's', 'cfg'],
      [2, 'm', [[19, 'm', [[1, 'm', [[1, 's', 'app-config']]], [3, 'v', 0], [4, 'v', false]]]]],
    ];
    const pod = decodeProtobufObject(body('v1', 'Pod', [[1, 'm', meta('p')], [2, 'm', [[1, 'm', volume], [11, 'v', false], [21, 'v', false]]]]));
    expect(pod.spec).toEqual({ volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 0, optional: false } }], automountServiceAccountToken: false });
  });

  it('answers an unsupported kind with 415 naming the kind', () => {
    try {
      decodeProtobufObject(body('resource.k8s.io/v1beta1', 'ResourceClaim', [[1, 'm', meta('i')]]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe(415);
      expect((e as ApiError).reason).toBe('UnsupportedMediaType');
      expect((e as ApiError).message).toContain('"ResourceClaim"');
    }
  });

  it('answers a truncated body with 400', () => {
    const good = body('v1', 'Namespace', [[1, 'm', meta('x')]]);
    try {
      decodeProtobufObject(good.subarray(0, good.length - 3));
      expect.unreachable();
    } catch (e) {
      expect((e as ApiError).code).toBe(400);
    }
  });
});
