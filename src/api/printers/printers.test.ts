import { describe, it, expect } from 'vitest';
import type { KubeObject } from '../../client/types.js';
import { printerFor, nodeRoles, nodeStatus, formatEndpoints, controllerName } from './printers.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const created = new Date(NOW - 52 * 1000).toISOString(); // AGE 52s
const obj = (o: Record<string, unknown>) => o as unknown as KubeObject;
const cells = (group: string, kind: string, o: Record<string, unknown>) => printerFor(group, kind).cells(obj(o), NOW);
const names = (group: string, kind: string) => printerFor(group, kind).columns().map((c) => `${c.name}${c.priority ? '*' : ''}`);

describe('column sets (upstream names; * = priority 1, shown with -o wide)', () => {
  const want: [string, string, string[]][] = [
    ['', 'Pod', ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']],
    ['', 'Node', ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']],
    ['', 'Namespace', ['Name', 'Status', 'Age']],
    ['', 'Service', ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']],
    ['', 'Endpoints', ['Name', 'Endpoints', 'Age']],
    ['', 'Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']],
    ['events.k8s.io', 'Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']],
    ['', 'ConfigMap', ['Name', 'Data', 'Age']],
    ['', 'Secret', ['Name', 'Type', 'Data', 'Age']],
    ['', 'ServiceAccount', ['Name', 'Secrets', 'Age']],
    ['apps', 'DaemonSet', ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['apps', 'Deployment', ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['apps', 'ReplicaSet', ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['apps', 'ControllerRevision', ['Name', 'Controller', 'Revision', 'Age']],
    ['coordination.k8s.io', 'Lease', ['Name', 'Holder', 'Age']],
    ['scheduling.k8s.io', 'PriorityClass', ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']],
    ['discovery.k8s.io', 'EndpointSlice', ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']],
    ['batch', 'Job', ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['batch', 'CronJob', ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']],
    ['resource.k8s.io', 'ResourceClaim', ['Name', 'Created At']],
    ['', 'PersistentVolume', ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode*']],
    ['', 'PersistentVolumeClaim', ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*']],
    ['', 'ResourceQuota', ['Name', 'Age', 'Request', 'Limit']],
    ['', 'PodTemplate', ['Name', 'Containers', 'Images', 'Pod Labels']],
    ['', 'LimitRange', ['Name', 'Created At']],
    ['policy', 'PodDisruptionBudget', ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']],
    ['networking.k8s.io', 'Ingress', ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']],
    ['networking.k8s.io', 'IngressClass', ['Name', 'Controller', 'Parameters', 'Age']],
    ['networking.k8s.io', 'NetworkPolicy', ['Name', 'Pod-Selector', 'Age']],
    ['storage.k8s.io', 'StorageClass', ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']],
    ['storage.k8s.io', 'CSIDriver', ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age']],
    ['storage.k8s.io', 'CSINode', ['Name', 'Drivers', 'Age']],
    ['storage.k8s.io', 'VolumeAttachment', ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age']],
    ['storage.k8s.io', 'CSIStorageCapacity', ['Name', 'StorageClassName', 'Capacity']],
    ['node.k8s.io', 'RuntimeClass', ['Name', 'Handler', 'Age']],
    ['autoscaling', 'HorizontalPodAutoscaler', ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']],
    ['flowcontrol.apiserver.k8s.io', 'FlowSchema', ['Name', 'PriorityLevel', 'MatchingPrecedence', 'DistinguisherMethod', 'Age', 'MissingPL']],
    ['flowcontrol.apiserver.k8s.io', 'PriorityLevelConfiguration', ['Name', 'Type', 'NominalConcurrencyShares', 'Queues', 'HandSize', 'QueueLengthLimit', 'Age']],
    ['certificates.k8s.io', 'CertificateSigningRequest', ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition']],
    ['apiregistration.k8s.io', 'APIService', ['Name', 'Service', 'Available', 'Age']],
  ];
  for (const [group, kind, cols] of want) {
    it(`${group || 'core'}/${kind}`, () => expect(names(group, kind)).toEqual(cols));
  }
  it('has types, formats and descriptions', () => {
    const cols = printerFor('apps', 'DaemonSet').columns();
    expect(cols[0]).toMatchObject({ name: 'Name', type: 'string', format: 'name', priority: 0 });
    expect(cols[0].description).toMatch(/^Name must be unique within a namespace/);
    expect(cols[1]).toMatchObject({ name: 'Desired', type: 'integer', format: '' });
    expect(cols[1].description).toMatch(/desiredNumberScheduled|total number of nodes that should be running the daemon pod/);
    expect(printerFor('', 'Pod').columns()[1].description).toBe('The aggregate readiness state of this pod for accepting traffic.');
    expect(printerFor('x', 'Y').columns()[1]).toMatchObject({ name: 'Created At', type: 'date' });
  });
});

describe('nodes', () => {
  const node = (conds: [string, string][], unschedulable = false) =>
    ({ metadata: { name: 'n' }, spec: { unschedulable }, status: { conditions: conds.map(([type, status]) => ({ type, status })) } }) as never;
  it('STATUS as upstream TestPrintNodeStatus', () => {
    expect(nodeStatus(node([['Ready', 'True']]))).toBe('Ready');
    expect(nodeStatus(node([['Ready', 'True']], true))).toBe('Ready,SchedulingDisabled');
    expect(nodeStatus(node([['Ready', 'False']]))).toBe('NotReady');
    expect(nodeStatus(node([['Ready', 'Unknown']]))).toBe('NotReady');
    expect(nodeStatus(node([]))).toBe('Unknown');
    expect(nodeStatus(node([], true))).toBe('Unknown,SchedulingDisabled');
    expect(nodeStatus(node([['InvalidValue', 'True']]))).toBe('Unknown');
    expect(nodeStatus(node([['MemoryPressure', 'True'], ['Ready', 'True']]))).toBe('Ready');
  });
  it('ROLES as upstream TestPrintNodeRole', () => {
    const roles = (labels: Record<string, string>) => nodeRoles({ metadata: { labels } } as never);
    expect(roles({ 'node-role.kubernetes.io/foo': '', 'node-role.kubernetes.io/bar': '', 'kubernetes.io/role': 'node' })).toEqual(['bar', 'foo', 'node']);
    expect(roles({ 'node-role.kubernetes.io/nodeRole': 'true' })).toEqual(['nodeRole']);
    expect(roles({ 'node-role.kubernetes.io/': 'x', 'kubernetes.io/role': '' })).toEqual([]);
  });
  it('cells, wide included', () => {
    expect(
      cells('', 'Node', {
        metadata: { name: 'kind-control-plane', creationTimestamp: created, labels: { 'node-role.kubernetes.io/control-plane': '' } },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'Hostname', address: 'h' }, { type: 'InternalIP', address: '172.18.0.2' }],
          nodeInfo: { kubeletVersion: 'v1.32.2', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '', containerRuntimeVersion: 'containerd://2.0.2' },
        },
      }),
    ).toEqual(['kind-control-plane', 'Ready', 'control-plane', '52s', 'v1.32.2', '172.18.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '<unknown>', 'containerd://2.0.2']);
    expect(cells('', 'Node', { metadata: { name: 'w' } })).toEqual(['w', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });
});

describe('services', () => {
  it('NodePort ports as port:nodePort/proto', () => {
    expect(
      cells('', 'Service', {
        metadata: { name: 'web', creationTimestamp: created },
        spec: { type: 'NodePort', clusterIPs: ['10.96.0.12'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { app: 'web' } },
      }),
    ).toEqual(['web', 'NodePort', '10.96.0.12', '<none>', '80:30080/TCP,53/UDP', '52s', 'app=web']);
  });
  it('LoadBalancer: ingress addresses then external IPs (upstream service4 case)', () => {
    expect(
      cells('', 'Service', {
        metadata: { name: 'service4' },
        spec: { type: 'LoadBalancer', clusterIPs: ['1.5.6.7'], externalIPs: ['3.4.5.6', '5.6.7.8'], selector: { foo: 'bar' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 8090, protocol: 'UDP' }, { port: 8000, protocol: 'TCP' }] },
        status: { loadBalancer: { ingress: [{ ip: '2.3.4.5' }] } },
      }),
    ).toEqual(['service4', 'LoadBalancer', '1.5.6.7', '2.3.4.5,3.4.5.6,5.6.7.8', '80/TCP,8090/UDP,8000/TCP', '<unknown>', 'foo=bar']);
  });
  it('pending load balancer, headless, ExternalName', () => {
    expect(cells('', 'Service', { metadata: { name: 'a' }, spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.1'] } }).slice(1, 5)).toEqual(['LoadBalancer', '10.0.0.1', '<pending>', '<none>']);
    expect(cells('', 'Service', { metadata: { name: 'h' }, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } }).slice(1, 4)).toEqual(['ClusterIP', 'None', '<none>']);
    expect(cells('', 'Service', { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } }).slice(1, 4)).toEqual(['ExternalName', '<none>', 'example.com']);
  });
});

describe('endpoints', () => {
  it('ip:port with the + N more... rule', () => {
    const ep = (subsets: unknown) => ({ metadata: { name: 'e' }, subsets }) as never;
    expect(formatEndpoints(ep(undefined))).toBe('<none>');
    expect(formatEndpoints(ep([{ addresses: [{ ip: '10.1.1.1' }, { ip: '10.1.1.2' }], ports: [{ port: 8080 }] }]))).toBe('10.1.1.1:8080,10.1.1.2:8080');
    expect(formatEndpoints(ep([{ addresses: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2' }, { ip: '3.3.3.3' }, { ip: '4.4.4.4' }, { ip: '5.5.5.5' }], ports: [{ port: 80 }] }]))).toBe(
      '1.1.1.1:80,2.2.2.2:80,3.3.3.3:80 + 2 more...',
    );
    expect(formatEndpoints(ep([{ addresses: [{ ip: '1.1.1.1' }, { ip: '2.2.2.2' }], ports: [{ port: 80 }, { port: 443 }] }]))).toBe('1.1.1.1:80,2.2.2.2:80,1.1.1.1:443 + 1 more...');
    expect(formatEndpoints(ep([{ addresses: [{ ip: '1.1.1.1' }] }]))).toBe('1.1.1.1');
    expect(formatEndpoints(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }]))).toBe('[fd00::1]:80');
  });
  it('endpoint slices list ports and addresses, <unset> when empty', () => {
    expect(
      cells('discovery.k8s.io', 'EndpointSlice', {
        metadata: { name: 's', creationTimestamp: created },
        addressType: 'IPv4',
        ports: [{ port: 80 }, { name: 'https' }, {}, { port: 9 }],
        endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }],
      }),
    ).toEqual(['s', 'IPv4', '80,https,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '52s']);
    expect(cells('discovery.k8s.io', 'EndpointSlice', { metadata: { name: 's' }, addressType: 'IPv4' }).slice(2, 4)).toEqual(['<unset>', '<unset>']);
  });
});

describe('events', () => {
  it('core/v1 event, all ten cells', () => {
    expect(
      cells('', 'Event', {
        metadata: { name: 'fluentd-abc.17a' },
        involvedObject: { kind: 'Pod', name: 'fluentd-abc', fieldPath: 'spec.containers{fluentd}' },
        reason: 'Pulled',
        message: '  Container image already present  ',
        source: { component: 'kubelet', host: 'worker-1' },
        firstTimestamp: new Date(NOW - 5 * 60 * 1000).toISOString(),
        lastTimestamp: new Date(NOW - 30 * 1000).toISOString(),
        count: 3,
        type: 'Normal',
      }),
    ).toEqual(['30s', 'Normal', 'Pulled', 'pod/fluentd-abc', 'spec.containers{fluentd}', 'kubelet, worker-1', 'Container image already present', '5m', 3, 'fluentd-abc.17a']);
  });
  it('eventTime, series and reporting controller when the old fields are empty', () => {
    expect(
      cells('', 'Event', {
        metadata: { name: 'e' },
        involvedObject: { kind: 'Node' },
        eventTime: new Date(NOW - 10 * 1000).toISOString(),
        reportingComponent: 'node-controller',
        type: 'Normal',
        reason: 'RegisteredNode',
        message: 'm',
      }),
    ).toEqual(['10s', 'Normal', 'RegisteredNode', 'node', '', 'node-controller', 'm', '10s', 1, 'e']);
  });
  it('events.k8s.io/v1 maps regarding/note/series', () => {
    expect(
      cells('events.k8s.io', 'Event', {
        metadata: { name: 'e2' },
        regarding: { kind: 'DaemonSet', name: 'fluentd' },
        note: 'Created pod: fluentd-x',
        reason: 'SuccessfulCreate',
        type: 'Normal',
        eventTime: new Date(NOW - 200 * 1000).toISOString(),
        series: { count: 4, lastObservedTime: new Date(NOW - 20 * 1000).toISOString() },
        reportingController: 'daemonset-controller',
        reportingInstance: 'kindling',
      }),
    ).toEqual(['20s', 'Normal', 'SuccessfulCreate', 'daemonset/fluentd', '', 'daemonset-controller, kindling', 'Created pod: fluentd-x', '3m20s', 4, 'e2']);
  });
});

describe('apps', () => {
  const template = { spec: { nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' }, containers: [{ name: 'fluentd', image: 'fluentd:v1' }, { name: 'sidecar', image: 'busybox' }] } };
  it('daemonset', () => {
    expect(
      cells('apps', 'DaemonSet', {
        metadata: { name: 'fluentd', creationTimestamp: created },
        spec: { selector: { matchLabels: { name: 'fluentd' } }, template },
        status: { desiredNumberScheduled: 4, currentNumberScheduled: 4, numberReady: 3, updatedNumberScheduled: 2, numberAvailable: 3 },
      }),
    ).toEqual(['fluentd', 4, 4, 3, 2, 3, 'disk=ssd,kubernetes.io/os=linux', '52s', 'fluentd,sidecar', 'fluentd:v1,busybox', 'name=fluentd']);
    expect(cells('apps', 'DaemonSet', { metadata: { name: 'x' }, spec: { template: { spec: { containers: [] } } }, status: {} })).toEqual(['x', 0, 0, 0, 0, 0, '<none>', '<unknown>', '', '', '<none>']);
  });
  it('deployment READY is ready/desired', () => {
    expect(
      cells('apps', 'Deployment', {
        metadata: { name: 'web', creationTimestamp: created },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
        status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      }),
    ).toEqual(['web', '2/3', 3, 2, '52s', 'fluentd,sidecar', 'fluentd:v1,busybox', 'app=web']);
    expect(cells('apps', 'Deployment', { metadata: { name: 'd' }, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] } } })[7]).toBe('<invalid>');
  });
  it('replicaset', () => {
    expect(
      cells('apps', 'ReplicaSet', {
        metadata: { name: 'web-5d', creationTimestamp: created },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d' } }, template },
        status: { replicas: 3, readyReplicas: 1 },
      }),
    ).toEqual(['web-5d', 3, 3, 1, '52s', 'fluentd,sidecar', 'fluentd:v1,busybox', 'app=web,pod-template-hash=5d']);
  });
  it('controllerrevision CONTROLLER', () => {
    const cr = (refs: unknown[]) => obj({ metadata: { name: 'fluentd-6b7', ownerReferences: refs, creationTimestamp: created }, revision: 2 });
    expect(controllerName(cr([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u', controller: true }]))).toBe('daemonset.apps/fluentd');
    expect(controllerName(cr([{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u', controller: true }]))).toBe('node/n1');
    expect(controllerName(cr([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd', uid: 'u' }]))).toBe('<none>');
    expect(printerFor('apps', 'ControllerRevision').cells(cr([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }]), NOW)).toEqual([
      'fluentd-6b7',
      'statefulset.apps/db',
      2,
      '52s',
    ]);
  });
});

describe('small printers', () => {
  it('namespace, configmap, secret, serviceaccount, lease, priorityclass', () => {
    const m = { name: 'x', creationTimestamp: created };
    expect(cells('', 'Namespace', { metadata: m, status: { phase: 'Active' } })).toEqual(['x', 'Active', '52s']);
    expect(cells('', 'ConfigMap', { metadata: m, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).toEqual(['x', 3, '52s']);
    expect(cells('', 'Secret', { metadata: m, type: 'Opaque', data: { a: 'YQ==' } })).toEqual(['x', 'Opaque', 1, '52s']);
    expect(cells('', 'ServiceAccount', { metadata: m })).toEqual(['x', 0, '52s']);
    expect(cells('coordination.k8s.io', 'Lease', { metadata: m, spec: { holderIdentity: 'worker-1' } })).toEqual(['x', 'worker-1', '52s']);
    expect(cells('coordination.k8s.io', 'Lease', { metadata: m, spec: {} })).toEqual(['x', '', '52s']);
    expect(cells('scheduling.k8s.io', 'PriorityClass', { metadata: m, value: 1000000, description: 'd', preemptionPolicy: 'PreemptLowerPriority' })).toEqual([
      'x',
      1000000,
      false,
      '52s',
      'PreemptLowerPriority',
    ]);
    expect(cells('scheduling.k8s.io', 'PriorityClass', { metadata: m, value: 2000001000, globalDefault: true })).toEqual(['x', 2000001000, true, '52s', '']);
  });
  it('storage, quota, disruption budget, autoscaler and CSR cells', () => {
    const m = { name: 'x', creationTimestamp: created };
    expect(cells('storage.k8s.io', 'StorageClass', { metadata: { ...m, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' })).toEqual(['x (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '52s']);
    expect(cells('', 'ResourceQuota', { metadata: m, status: { hard: { pods: '2', 'limits.cpu': '2', cpu: '1' }, used: { pods: '1', cpu: '0' } } })).toEqual(['x', '52s', 'cpu: 0/1, pods: 1/2', 'limits.cpu: 0/2']);
    expect(cells('policy', 'PodDisruptionBudget', { metadata: m, spec: { maxUnavailable: '50%' }, status: { disruptionsAllowed: 2 } })).toEqual(['x', 'N/A', '50%', 2, '52s']);
    expect(cells('', 'PersistentVolumeClaim', { metadata: m, spec: { volumeName: 'pv1', storageClassName: 'standard' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteMany'] } })).toEqual(['x', 'Bound', 'pv1', '1Gi', 'RWO,RWX', 'standard', '<unset>', '52s', '<unset>']);
    const metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    expect(cells('autoscaling', 'HorizontalPodAutoscaler', { metadata: m, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics }, status: {} })).toEqual(['x', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 0, '52s']);
    expect(cells('certificates.k8s.io', 'CertificateSigningRequest', { metadata: m, spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'kubernetes-admin', expirationSeconds: 86400 }, status: { conditions: [{ type: 'Approved' }], certificate: 'Zm9v' } })).toEqual(['x', '52s', 'kubernetes.io/kube-apiserver-client', 'kubernetes-admin', '24h', 'Approved,Issued']);
  });
  it('default printer: name and RFC 3339 creation time', () => {
    expect(cells('resource.k8s.io', 'ResourceClaim', { metadata: { name: 'j', creationTimestamp: '2024-05-01T11:59:08.000Z' } })).toEqual(['j', '2024-05-01T11:59:08Z']);
    expect(cells('resource.k8s.io', 'ResourceClaim', { metadata: { name: 'j' } })).toEqual(['j', '0001-01-01T00:00:00Z']);
  });
});
