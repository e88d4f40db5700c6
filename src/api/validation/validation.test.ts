import { describe, it, expect } from 'vitest';
import { validateCreate, validateUpdate, validateStatusUpdate } from './index.js';
import { applyDefaults } from '../defaults/index.js';
import { invalid } from '../errors.js';
import { resourceForKind } from '../resources.js';
import type { KubeObject } from '../../client/types.js';

const DS = resourceForKind('apps/v1', 'DaemonSet')!;
const POD = resourceForKind('v1', 'Pod')!;

/** errors rendered as kubectl prints each cause: "<field>: <message>" */
function render(errs: { field: string; message: string }[]): string[] {
  return errs.map((e) => `${e.field}: ${e.message}`);
}

function daemonSet(mutate: (ds: any) => void = () => {}): KubeObject {
  const ds: any = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'fluentd' } },
      template: { metadata: { labels: { app: 'fluentd' } }, spec: { containers: [{ name: 'fluentd', image: 'fluentd:v1' }] } },
    },
  };
  mutate(ds);
  applyDefaults(DS, ds);
  return ds;
}

function pod(mutate: (p: any) => void = () => {}): KubeObject {
  const p: any = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  mutate(p);
  applyDefaults(POD, p);
  return p;
}

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const PERCENT_MSG = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

describe('DaemonSet create (spec/daemonset.md 4.2)', () => {
  it('accepts a valid, defaulted DaemonSet', () => {
    expect(validateCreate(DS, daemonSet())).toEqual([]);
  });

  it.each<[string, (ds: any) => void, string[]]>([
    ['bad name', (d) => (d.metadata.name = 'Fluentd_1'), [`metadata.name: Invalid value: "Fluentd_1": ${SUBDOMAIN_MSG}`]],
    ['missing name', (d) => delete d.metadata.name, ['metadata.name: Required value: name or generateName is required']],
    [
      'missing selector',
      (d) => delete d.spec.selector,
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"fluentd"}: `selector` does not match template `labels`'],
    ],
    [
      'selector does not match',
      (d) => (d.spec.selector.matchLabels = { app: 'x' }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"fluentd"}: `selector` does not match template `labels`'],
    ],
    [
      'empty selector',
      (d) => (d.spec.selector = {}),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset'],
    ],
    ['restartPolicy', (d) => (d.spec.template.spec.restartPolicy = 'OnFailure'), ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']],
    [
      'activeDeadlineSeconds',
      (d) => (d.spec.template.spec.activeDeadlineSeconds = 10),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'],
    ],
    ['minReadySeconds', (d) => (d.spec.minReadySeconds = -1), ['spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['revisionHistoryLimit', (d) => (d.spec.revisionHistoryLimit = -1), ['spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
    [
      'updateStrategy type',
      (d) => (d.spec.updateStrategy = { type: 'Foo' }),
      ['spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"'],
    ],
    [
      'both surge and unavailable',
      (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } }),
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero'],
    ],
    [
      'both zero ("0%" counts as zero)',
      (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%', maxSurge: 0 } }),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'bad percent',
      (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'x%', maxSurge: 0 } }),
      [
        `spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"x%"}: ${PERCENT_MSG}`,
        'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
      ],
    ],
    [
      'over 100%',
      (d) => (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 0 } }),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%'],
    ],
    [
      'template labels path and container checks',
      (d) => {
        d.spec.template.metadata.labels['bad key!'] = 'v';
        d.spec.template.spec.containers.push({ name: 'fluentd' });
      },
      [
        `spec.template.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        'spec.template.spec.containers[1].image: Required value',
        'spec.template.spec.containers[1].name: Duplicate value: "fluentd"',
      ],
    ],
  ])('%s', (_name, mutate, expected) => {
    expect(render(validateCreate(DS, daemonSet(mutate)))).toEqual(expected);
  });

  it('renders as kubectl shows it through invalid()', () => {
    const errs = validateCreate(DS, daemonSet((d) => (d.spec.selector.matchLabels = { app: 'x' })));
    expect(invalid('DaemonSet', 'apps', 'fluentd', errs).message).toBe(
      'DaemonSet.apps "fluentd" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"fluentd"}: `selector` does not match template `labels`',
    );
  });
});

describe('DaemonSet update and status', () => {
  it('selector is immutable', () => {
    const old = daemonSet();
    const next = daemonSet((d) => {
      d.spec.selector.matchLabels = { app: 'fluentd', tier: 'x' };
      d.spec.template.metadata.labels.tier = 'x';
    });
    expect(render(validateUpdate(DS, next, old))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"fluentd", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
  it('name is immutable', () => {
    expect(render(validateUpdate(DS, daemonSet((d) => (d.metadata.name = 'other')), daemonSet()))).toEqual([
      'metadata.name: Invalid value: "other": field is immutable',
    ]);
  });
  it('status counters and collisionCount', () => {
    const old = daemonSet((d) => (d.status = { collisionCount: 2 }));
    const next = daemonSet((d) => (d.status = { collisionCount: 1, numberReady: -1 }));
    expect(render(validateStatusUpdate(DS, next, old))).toEqual([
      'status.numberReady: Invalid value: -1: must be greater than or equal to 0',
      'status.collisionCount: Invalid value: 1: cannot be decremented',
    ]);
  });
});

describe('ObjectMeta', () => {
  it.each<[string, (p: any) => void, string[]]>([
    ['generateName only is fine', (p) => { delete p.metadata.name; p.metadata.generateName = 'fluentd-'; }, []],
    ['bad generateName', (p) => { delete p.metadata.name; p.metadata.generateName = 'Bad-'; }, [`metadata.generateName: Invalid value: "Bad-": ${SUBDOMAIN_MSG}`]],
    ['namespace required', (p) => delete p.metadata.namespace, ['metadata.namespace: Required value']],
    [
      'label value',
      (p) => (p.metadata.labels = { a: '-x' }),
      [
        `metadata.labels: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
    [
      'label key prefix',
      (p) => (p.metadata.labels = { 'Ex.com/a': 'b' }),
      [`metadata.labels: Invalid value: "Ex.com/a": prefix part ${SUBDOMAIN_MSG}`],
    ],
    ['annotations may use upper case', (p) => (p.metadata.annotations = { 'Example.com/Note': 'x' }), []],
  ])('%s', (_n, mutate, expected) => {
    expect(render(validateCreate(POD, pod(mutate)))).toEqual(expected);
  });

  it('namespace names are DNS-1123 labels', () => {
    const NS = resourceForKind('v1', 'Namespace')!;
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } };
    expect(render(validateCreate(NS, ns))).toEqual(['metadata.name: Invalid value: "a.b": must not contain dots']);
    expect(render(validateCreate(NS, { ...ns, metadata: { name: 'A' } }))).toEqual([`metadata.name: Invalid value: "A": ${LABEL_MSG}`]);
  });
});

describe('Pod spec', () => {
  it.each<[string, (p: any) => void, string[]]>([
    ['no containers', (p) => (p.spec.containers = []), ['spec.containers: Required value']],
    ['container name', (p) => (p.spec.containers[0].name = 'C_1'), [`spec.containers[0].name: Invalid value: "C_1": ${LABEL_MSG}`]],
    ['restartPolicy', (p) => (p.spec.restartPolicy = 'Sometimes'), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    [
      'container port',
      (p) => (p.spec.containers[0].ports = [{ containerPort: 70000 }]),
      ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    ['volume mount of unknown volume', (p) => (p.spec.containers[0].volumeMounts = [{ name: 'v', mountPath: '/v' }]), ['spec.containers[0].volumeMounts[0].name: Not found: "v"']],
    ['env name', (p) => (p.spec.containers[0].env = [{ name: 'A=B', value: 'x' }]), [`spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`]],
    [
      'requests above limits',
      (p) => (p.spec.containers[0].resources = { limits: { cpu: '500m' }, requests: { cpu: '1' } }),
      ['spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m'],
    ],
    [
      'toleration Exists with value',
      (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Exists', value: 'v', effect: 'NoSchedule' }]),
      [`spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"NoSchedule", TolerationSeconds:(*int64)(nil)}: value must be empty when \`operator\` is 'Exists'`],
    ],
    [
      'tolerationSeconds without NoExecute',
      (p) => (p.spec.tolerations = [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule', tolerationSeconds: 5 }]),
      [`spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be 'NoExecute' when \`tolerationSeconds\` is set`],
    ],
    [
      'toleration effect',
      (p) => (p.spec.tolerations = [{ operator: 'Exists', effect: 'NoRun' }]),
      ['spec.tolerations[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
    ],
    [
      'empty key needs Exists',
      (p) => (p.spec.tolerations = [{ operator: 'Equal', value: 'v' }]),
      ['spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
    ],
    [
      'nodeSelector key',
      (p) => (p.spec.nodeSelector = { '/x': 'y' }),
      ['spec.nodeSelector: Invalid value: "/x": prefix part must be non-empty'],
    ],
    [
      'node affinity',
      (p) =>
        (p.spec.affinity = {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] } },
        }),
      ["spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
    ],
  ])('%s', (_n, mutate, expected) => {
    expect(render(validateCreate(POD, pod(mutate)))).toEqual(expected);
  });

  it('pod updates may change the image and add tolerations only', () => {
    const old = pod((p) => (p.spec.containers[0].image = 'nginx:1'));
    expect(validateUpdate(POD, pod((p) => (p.spec.containers[0].image = 'nginx:2')), old)).toEqual([]);
    expect(validateUpdate(POD, pod((p) => {
      p.spec.containers[0].image = 'nginx:1';
      p.spec.tolerations = [{ key: 'a', operator: 'Exists' }];
    }), old)).toEqual([]);
    const errs = render(validateUpdate(POD, pod((p) => (p.spec.nodeSelector = { a: 'b' })), old));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  });
});

describe('Node taints', () => {
  const NODE = resourceForKind('v1', 'Node')!;
  const node = (taints: unknown[]) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints } });
  it.each<[string, unknown[], string[]]>([
    ['valid', [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }, { key: 'dedicated', value: 'x', effect: 'NoExecute' }], []],
    ['bad effect', [{ key: 'k', effect: 'NoRun' }], ['metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']],
    ['missing effect', [{ key: 'k' }], ['metadata.taints[0].effect: Required value']],
    [
      'duplicate key and effect',
      [{ key: 'k', value: 'a', effect: 'NoSchedule' }, { key: 'k', value: 'b', effect: 'NoSchedule' }],
      ['metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"b", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair'],
    ],
  ])('%s', (_n, taints, expected) => {
    expect(render(validateCreate(NODE, node(taints)))).toEqual(expected);
  });
});

describe('Deployment and ReplicaSet', () => {
  const DEP = resourceForKind('apps/v1', 'Deployment')!;
  const dep = (mutate: (d: any) => void) => {
    const d: any = {
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    mutate(d);
    applyDefaults(DEP, d);
    return d;
  };
  it.each<[string, (d: any) => void, string[]]>([
    ['valid', () => {}, []],
    ['replicas', (d) => (d.spec.replicas = -1), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['selector required', (d) => delete d.spec.selector, ['spec.selector: Required value']],
    [
      'mismatch',
      (d) => (d.spec.template.metadata.labels = { app: 'x' }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    ],
    [
      'both zero',
      (d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
    ],
  ])('%s', (_n, mutate, expected) => {
    expect(render(validateCreate(DEP, dep(mutate)))).toEqual(expected);
  });
});

describe('Service', () => {
  const SVC = resourceForKind('v1', 'Service')!;
  const svc = (spec: any) => {
    const s: any = { metadata: { name: 'web', namespace: 'default' }, spec };
    applyDefaults(SVC, s);
    return s;
  };
  it.each<[string, any, string[]]>([
    ['valid', { ports: [{ port: 80 }] }, []],
    ['ports required', {}, ['spec.ports: Required value']],
    ['headless without ports', { clusterIP: 'None' }, []],
    [
      'port range (targetPort defaults to the same bad port)',
      { ports: [{ port: 0 }] },
      ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive', 'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive'],
    ],
    ['type', { type: 'Foo', ports: [{ port: 80 }] }, ['spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    [
      'node port range',
      { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] },
      ['spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767'],
    ],
    ['names required with several ports', { ports: [{ port: 80 }, { port: 81, name: 'b' }] }, ['spec.ports[0].name: Required value']],
  ])('%s', (_n, spec, expected) => {
    expect(render(validateCreate(SVC, svc(spec)))).toEqual(expected);
  });
  it('service names are DNS-1035 labels', () => {
    const s: any = { metadata: { name: '1web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
    applyDefaults(SVC, s);
    expect(render(validateCreate(SVC, s))).toEqual([
      `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });
});

describe('PriorityClass', () => {
  const PC = resourceForKind('scheduling.k8s.io/v1', 'PriorityClass')!;
  const pc = (name: string, value: number, extra: any = {}) => {
    const o: any = { metadata: { name }, value, ...extra };
    applyDefaults(PC, o);
    return o;
  };
  it.each<[string, any, string[]]>([
    ['user class', pc('high', 1000000000), []],
    ['too high', pc('high', 1000000001), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']],
    ['built-in', pc('system-node-critical', 2000001000), []],
    [
      'unknown system class',
      pc('system-foo', 5),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class"],
    ],
    [
      'wrong built-in value',
      pc('system-cluster-critical', 5),
      ["metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-cluster-critical PriorityClass must be 2000000000"],
    ],
    ['preemptionPolicy', pc('p', 1, { preemptionPolicy: 'Sometimes' }), ['preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"']],
  ])('%s', (_n, obj, expected) => {
    expect(render(validateCreate(PC, obj))).toEqual(expected);
  });
  it('value may not change', () => {
    expect(render(validateUpdate(PC, pc('high', 2), pc('high', 1)))).toEqual(['value: Forbidden: may not be changed in an update.']);
  });
});

describe('ConfigMap and Lease', () => {
  it('config keys', () => {
    const CM = resourceForKind('v1', 'ConfigMap')!;
    const errs = validateCreate(CM, { metadata: { name: 'c', namespace: 'd' }, data: { 'a b': 'x', ok: 'y' } });
    expect(render(errs)).toEqual([
      `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
  });
  it('lease duration', () => {
    const L = resourceForKind('coordination.k8s.io/v1', 'Lease')!;
    expect(render(validateCreate(L, { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { leaseDurationSeconds: 0 } }))).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    ]);
  });
});
