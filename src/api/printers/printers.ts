// Per-resource column definitions and row cells, as upstream's server-side printers
// (pkg/printers/internalversion/printers.go). The API server always prints "wide", so every
// row carries all cells and kubectl hides the priority-1 columns unless -o wide.

import type {
  ConfigMap,
  Endpoints,
  Event as CoreEvent,
  Namespace,
  Node,
  Pod,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../client/types.js';
import { translateTimestampSince } from './duration.js';
import { podRowConditions, podSummary, podWideCells } from './pod.js';
import { formatLabels, formatLabelSelector, selectorString } from './selectors.js';

import {
  type Cell,
  type Printer,
  col,
  printer,
  age,
  name,
  containerCells,
  joinHostPort,
  listWithMore,
  META,
  nameCol,
  ageCol,
  containersCol,
  imagesCol,
} from './columns.js';
export type { TableColumnDefinition, Cell, Printer } from './columns.js';
import { BATCH_PRINTERS } from './batch.js';
import { GROUP_PRINTERS } from './groups.js';

// ---- pods ----------------------------------------------------------------------

const podPrinter = printer(
  [
    nameCol,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    ageCol,
    col('IP', 'string', ['core.v1.PodStatus', 'podIP', 'IP address allocated to the pod.'], { priority: 1 }),
    col('Node', 'string', ['core.v1.PodSpec', 'nodeName', 'The node the pod is bound to.'], { priority: 1 }),
    col('Nominated Node', 'string', ['core.v1.PodStatus', 'nominatedNodeName', 'The node nominated for preemption.'], { priority: 1 }),
    col('Readiness Gates', 'string', ['core.v1.PodSpec', 'readinessGates', 'Pod readiness gates.'], { priority: 1 }),
  ],
  (pod: Pod, now) => {
    const s = podSummary(pod, now);
    return [name(pod), s.ready, s.status, s.restarts, age(pod, now), ...podWideCells(pod)];
  },
  (pod: Pod) => podRowConditions(pod),
);

// ---- nodes ----------------------------------------------------------------------

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

export function nodeStatus(node: Node): string {
  const status: string[] = [];
  // the last condition of a type wins, as upstream's map
  let ready: string | undefined;
  for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') ready = c.status;
  if (ready !== undefined) status.push(ready === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

const nodePrinter = printer(
  [
    nameCol,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol,
    col('Version', 'string', ['core.v1.NodeSystemInfo', 'kubeletVersion', 'Kubelet Version reported by the node.']),
    col('Internal-IP', 'string', ['core.v1.NodeStatus', 'addresses', 'List of addresses reachable to the node.'], { priority: 1 }),
    col('External-IP', 'string', ['core.v1.NodeStatus', 'addresses', 'List of addresses reachable to the node.'], { priority: 1 }),
    col('OS-Image', 'string', ['core.v1.NodeSystemInfo', 'osImage', 'OS Image reported by the node.'], { priority: 1 }),
    col('Kernel-Version', 'string', ['core.v1.NodeSystemInfo', 'kernelVersion', 'Kernel Version reported by the node.'], { priority: 1 }),
    col('Container-Runtime', 'string', ['core.v1.NodeSystemInfo', 'containerRuntimeVersion', 'ContainerRuntime Version reported by the node.'], { priority: 1 }),
  ],
  (node: Node, now) => {
    const roles = nodeRoles(node).join(',') || '<none>';
    const info = node.status?.nodeInfo;
    return [
      name(node),
      nodeStatus(node),
      roles,
      age(node, now),
      info?.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
);

// ---- namespaces, configmaps, secrets, serviceaccounts ------------------------------

const namespacePrinter = printer(
  [nameCol, col('Status', 'string', 'The status of the namespace'), ageCol],
  (ns: Namespace, now) => [name(ns), ns.status?.phase ?? '', age(ns, now)],
);

const configMapPrinter = printer(
  [nameCol, col('Data', 'string', ['core.v1.ConfigMap', 'data', 'Data contains the configuration data.']), ageCol],
  (cm: ConfigMap, now) => [
    name(cm),
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    age(cm, now),
  ],
);

const secretPrinter = printer(
  [
    nameCol,
    col('Type', 'string', ['core.v1.Secret', 'type', 'Used to facilitate programmatic handling of secret data.']),
    col('Data', 'string', ['core.v1.Secret', 'data', 'Data contains the secret data.']),
    ageCol,
  ],
  (s: Secret, now) => [name(s), s.type ?? '', Object.keys(s.data ?? {}).length, age(s, now)],
);

const serviceAccountPrinter = printer(
  [nameCol, col('Secrets', 'string', ['core.v1.ServiceAccount', 'secrets', 'Secrets is a list of the secrets in the same namespace.']), ageCol],
  (sa: ServiceAccount, now) => [name(sa), (sa.secrets ?? []).length, age(sa, now)],
);

// ---- services and endpoints -----------------------------------------------------

/** getServiceExternalIP with wide=true (the server never clips load balancer addresses) */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = new Set<string>();
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
        if (ing.ip) lb.add(ing.ip);
        else if (ing.hostname) lb.add(ing.hostname);
      }
      const lbIps = [...lb].sort();
      if (externalIPs.length > 0) return [...lbIps, ...externalIPs].join(',');
      return lbIps.length > 0 ? lbIps.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: 80/TCP, 80:30080/TCP */
export function servicePorts(svc: Service): string {
  return (svc.spec?.ports ?? [])
    .map((p) => (p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
}

const servicePrinter = printer(
  [
    nameCol,
    col('Type', 'string', ['core.v1.ServiceSpec', 'type', 'type determines how the Service is exposed.']),
    col('Cluster-IP', 'string', ['core.v1.ServiceSpec', 'clusterIP', 'clusterIP is the IP address of the service.']),
    col('External-IP', 'string', ['core.v1.ServiceSpec', 'externalIPs', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.']),
    col('Port(s)', 'string', ['core.v1.ServiceSpec', 'ports', 'The list of ports that are exposed by this service.']),
    ageCol,
    col('Selector', 'string', ['core.v1.ServiceSpec', 'selector', 'Route service traffic to pods with label keys and values matching this selector.'], { priority: 1 }),
  ],
  (svc: Service, now) => {
    // clusterIPs is filled from clusterIP by defaulting upstream; fall back for objects stored without it
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>';
    return [
      name(svc),
      svc.spec?.type ?? '',
      clusterIP,
      serviceExternalIP(svc),
      servicePorts(svc) || '<none>',
      age(svc, now),
      formatLabels(svc.spec?.selector),
    ];
  },
);

/** formatEndpoints with all ports: ip:port,... at most 3, then "+ N more..." */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // headless services may have no ports
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const endpointsPrinter = printer(
  [nameCol, col('Endpoints', 'string', ['core.v1.Endpoints', 'subsets', 'The set of all endpoints is the union of all subsets.']), ageCol],
  (ep: Endpoints, now) => [name(ep), formatEndpoints(ep), age(ep, now)],
);

export function formatSlicePorts(slice: EndpointSlice): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const p of slice.ports ?? []) {
    if (list.length < max) list.push(p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined && p.name !== null ? p.name : '*');
    else if (list.length === max) more = true;
    count++;
  }
  return listWithMore(list, more, count, max, '<unset>');
}

export function formatSliceEndpoints(slice: EndpointSlice): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const e of slice.endpoints ?? []) {
    for (const a of e.addresses ?? []) {
      if (list.length < max) list.push(a);
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max, '<unset>');
}

const endpointSlicePrinter = printer(
  [
    nameCol,
    col('AddressType', 'string', ['discovery.v1.EndpointSlice', 'addressType', 'addressType specifies the type of address carried by this EndpointSlice.']),
    col('Ports', 'string', ['discovery.v1.EndpointSlice', 'ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.']),
    col('Endpoints', 'string', ['discovery.v1.EndpointSlice', 'endpoints', 'endpoints is a list of unique endpoints in this slice.']),
    ageCol,
  ],
  (s: EndpointSlice, now) => [name(s), s.addressType ?? '', formatSlicePorts(s), formatSliceEndpoints(s), age(s, now)],
);

// ---- events (core/v1 and events.k8s.io/v1 share upstream's internal printer) ----------

interface EventView {
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingController?: string;
  reportingInstance?: string;
  type?: string;
  reason?: string;
  message?: string;
}

function coreEventView(e: CoreEvent): EventView {
  return { ...e, involvedObject: e.involvedObject ?? {}, reportingController: e.reportingComponent } as EventView;
}

/** events.k8s.io/v1 fields mapped to the core fields they convert to upstream */
function eventsV1View(e: EventsV1Event): EventView {
  return {
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    eventTime: e.eventTime,
    count: e.deprecatedCount,
    series: e.series,
    involvedObject: e.regarding ?? {},
    source: e.deprecatedSource,
    reportingController: e.reportingController,
    reportingInstance: e.reportingInstance,
    type: e.type,
    reason: e.reason,
    message: e.note,
  };
}

function eventCells(name: string, e: EventView, now: number): Cell[] {
  const firstTimestamp = e.firstTimestamp
    ? translateTimestampSince(e.firstTimestamp, now)
    : translateTimestampSince(e.eventTime, now);
  let lastTimestamp = e.lastTimestamp ? translateTimestampSince(e.lastTimestamp, now) : firstTimestamp;
  let count = e.count ?? 0;
  if (e.series) {
    lastTimestamp = translateTimestampSince(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    // singleton events of the new API have no count
    count = 1;
  }
  const kind = (e.involvedObject.kind ?? '').toLowerCase();
  const target = e.involvedObject.name ? `${kind}/${e.involvedObject.name}` : kind;
  const component = e.source?.component || e.reportingController || '';
  const instance = e.source?.host || e.reportingInstance || '';
  const source = instance ? `${component}, ${instance}` : component;
  return [
    lastTimestamp,
    e.type ?? '',
    e.reason ?? '',
    target,
    e.involvedObject.fieldPath ?? '',
    source,
    (e.message ?? '').trim(),
    firstTimestamp,
    count,
    name,
  ];
}

const eventColumns = [
  col('Last Seen', 'string', ['core.v1.Event', 'lastTimestamp', 'The time at which the most recent occurrence of this event was recorded.']),
  col('Type', 'string', ['core.v1.Event', 'type', 'Type of this event (Normal, Warning), new types could be added in the future']),
  col('Reason', 'string', ['core.v1.Event', 'reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."]),
  col('Object', 'string', ['core.v1.Event', 'involvedObject', 'The object that this event is about.']),
  col('Subobject', 'string', ['core.v1.ObjectReference', 'fieldPath', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'], { priority: 1 }),
  col('Source', 'string', ['core.v1.Event', 'source', 'The component reporting this event. Should be a short machine understandable string.'], { priority: 1 }),
  col('Message', 'string', ['core.v1.Event', 'message', 'A human-readable description of the status of this operation.']),
  col('First Seen', 'string', ['core.v1.Event', 'firstTimestamp', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'], { priority: 1 }),
  col('Count', 'string', ['core.v1.Event', 'count', 'The number of times this event has occurred.'], { priority: 1 }),
  col('Name', 'string', [META, 'name', 'Name must be unique within a namespace.'], { format: 'name', priority: 1 }),
];

const coreEventPrinter = printer(eventColumns, (e: CoreEvent, now) => eventCells(e.metadata?.name ?? '', coreEventView(e), now));
const eventsV1Printer = printer(eventColumns, (e: EventsV1Event, now) => eventCells(e.metadata?.name ?? '', eventsV1View(e), now));

// ---- apps ------------------------------------------------------------------------

const daemonSetPrinter = printer(
  [
    nameCol,
    col('Desired', 'integer', ['apps.v1.DaemonSetStatus', 'desiredNumberScheduled', 'The total number of nodes that should be running the daemon pod.']),
    col('Current', 'integer', ['apps.v1.DaemonSetStatus', 'currentNumberScheduled', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.']),
    col('Ready', 'integer', ['apps.v1.DaemonSetStatus', 'numberReady', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.']),
    col('Up-to-date', 'integer', ['apps.v1.DaemonSetStatus', 'updatedNumberScheduled', 'The total number of nodes that are running updated daemon pod']),
    col('Available', 'integer', ['apps.v1.DaemonSetStatus', 'numberAvailable', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.']),
    col('Node Selector', 'string', ['core.v1.PodSpec', 'nodeSelector', "NodeSelector is a selector which must be true for the pod to fit on a node."]),
    ageCol,
    containersCol,
    imagesCol,
    col('Selector', 'string', ['apps.v1.DaemonSetSpec', 'selector', 'A label query over pods that are managed by the daemon set.'], { priority: 1 }),
  ],
  (ds: DaemonSet, now) => {
    const st = ds.status;
    const [names, images] = containerCells(ds.spec?.template?.spec?.containers);
    return [
      name(ds),
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
);

const deploymentPrinter = printer(
  [
    nameCol,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', ['apps.v1.DeploymentStatus', 'updatedReplicas', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.']),
    col('Available', 'string', ['apps.v1.DeploymentStatus', 'availableReplicas', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.']),
    ageCol,
    containersCol,
    imagesCol,
    col('Selector', 'string', ['apps.v1.DeploymentSpec', 'selector', 'Label selector for pods.'], { priority: 1 }),
  ],
  (d: Deployment, now) => {
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    const sel = selectorString(d.spec?.selector);
    // replicas defaults to 1 when the object is read back upstream
    const desired = d.spec?.replicas ?? 1;
    return [
      name(d),
      `${d.status?.readyReplicas ?? 0}/${desired}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, now),
      names,
      images,
      sel === undefined ? '<invalid>' : sel,
    ];
  },
);

const replicaSetPrinter = printer(
  [
    nameCol,
    col('Desired', 'integer', ['apps.v1.ReplicaSetSpec', 'replicas', 'Replicas is the number of desired pods.']),
    col('Current', 'integer', ['apps.v1.ReplicaSetStatus', 'replicas', 'Replicas is the most recently observed number of non-terminating pods.']),
    col('Ready', 'integer', ['apps.v1.ReplicaSetStatus', 'readyReplicas', 'The number of ready replicas for this replica set.']),
    ageCol,
    containersCol,
    imagesCol,
    col('Selector', 'string', ['apps.v1.ReplicaSetSpec', 'selector', 'Selector is a label query over pods that should match the replica count.'], { priority: 1 }),
  ],
  (rs: ReplicaSet, now) => {
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      name(rs),
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
);

/** CONTROLLER: <lowercase Kind.group>/<name> of the controller owner, else <none> */
export function controllerName(obj: KubeObject): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash >= 0 ? ref.apiVersion.slice(0, slash) : '';
  if (!group && !ref.kind) return ref.name;
  const groupKind = group ? `${ref.kind}.${group}` : ref.kind;
  return `${groupKind.toLowerCase()}/${ref.name}`;
}

const controllerRevisionPrinter = printer(
  [
    nameCol,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', ['apps.v1.ControllerRevision', 'revision', 'Revision indicates the revision of the state represented by Data.']),
    ageCol,
  ],
  (cr: ControllerRevision, now) => [name(cr), controllerName(cr as unknown as KubeObject), cr.revision ?? 0, age(cr, now)],
);

// ---- coordination, scheduling ---------------------------------------------------

const leasePrinter = printer(
  [nameCol, col('Holder', 'string', ['coordination.v1.LeaseSpec', 'holderIdentity', 'holderIdentity contains the identity of the holder of a current lease.']), ageCol],
  (l: Lease, now) => [name(l), l.spec?.holderIdentity ?? '', age(l, now)],
);

const priorityClassPrinter = printer(
  [
    nameCol,
    col('Value', 'integer', ['scheduling.v1.PriorityClass', 'value', 'value represents the integer value of this priority class.']),
    col('Global-Default', 'boolean', ['scheduling.v1.PriorityClass', 'globalDefault', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.']),
    ageCol,
    col('PreemptionPolicy', 'string', ['scheduling.v1.PriorityClass', 'preemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.']),
  ],
  (pc: PriorityClass, now) => [name(pc), pc.value ?? 0, pc.globalDefault ?? false, age(pc, now), pc.preemptionPolicy ?? ''],
);

// ---- default --------------------------------------------------------------------

/** RFC 3339 in UTC without fractions, as Go's time.RFC3339 of a metav1.Time */
function rfc3339(ts: string | undefined): string {
  const t = ts ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** rest.NewDefaultTableConvertor: Name and Created At */
export const defaultPrinter = printer(
  [nameCol, col('Created At', 'date', [META, 'creationTimestamp', 'CreationTimestamp is a timestamp representing the server time when this object was created.'])],
  (obj: KubeObject) => [name(obj), rfc3339(obj.metadata?.creationTimestamp)],
);

const PRINTERS: Record<string, Printer> = {
  '/Pod': podPrinter,
  '/Node': nodePrinter,
  '/Namespace': namespacePrinter,
  '/Service': servicePrinter,
  '/Endpoints': endpointsPrinter,
  '/Event': coreEventPrinter,
  '/ConfigMap': configMapPrinter,
  '/Secret': secretPrinter,
  '/ServiceAccount': serviceAccountPrinter,
  'apps/DaemonSet': daemonSetPrinter,
  'apps/Deployment': deploymentPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/ControllerRevision': controllerRevisionPrinter,
  'events.k8s.io/Event': eventsV1Printer,
  'coordination.k8s.io/Lease': leasePrinter,
  'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
  ...BATCH_PRINTERS,
  ...GROUP_PRINTERS,
};

/** the printer of a group and kind, or the Name/Created At default */
export function printerFor(group: string, kind: string): Printer {
  return PRINTERS[`${group}/${kind}`] ?? defaultPrinter;
}
