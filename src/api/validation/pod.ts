// Pod, PodSpec and PodTemplateSpec validation (pkg/apis/core/validation), upstream's paths and
// messages. The order of checks follows upstream, so multi-error messages line up.

import { fieldErrors, type FieldError } from '../errors.js';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isLabelValue,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.js';
import { deepEqual, nonNegative, validateAnnotations, validateLabelName, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, type Obj } from './meta.js';
import { parseQuantity } from './quantity.js';
import { renderToleration } from './render.js';

const dns1123Label = (value: string, field: string): FieldError[] => isDNS1123Label(value).map((m) => fieldErrors.invalid(field, value, m));

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: number | undefined, field: string): FieldError[] {
  if (mode == null || (mode >= 0 && mode <= 0o777)) return [];
  return [fieldErrors.invalid(field, mode, FILE_MODE_ERROR)];
}

function validateVolumeSource(v: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const present = VOLUME_SOURCES.filter((k) => v[k] != null);
  if (present.length === 0) return [fieldErrors.required(field, 'must specify a volume type')];
  for (const k of present.slice(1)) errs.push(fieldErrors.forbidden(`${field}.${k}`, 'may not specify more than 1 volume type'));
  const hp = v.hostPath;
  if (hp) {
    if (!hp.path) errs.push(fieldErrors.required(`${field}.hostPath.path`));
    else if (String(hp.path).split('/').includes('..')) errs.push(fieldErrors.invalid(`${field}.hostPath.path`, hp.path, "must not contain '..'"));
    if (hp.type != null && !HOST_PATH_TYPES.includes(hp.type)) errs.push(fieldErrors.notSupported(`${field}.hostPath.type`, hp.type, HOST_PATH_TYPES));
  }
  if (v.secret) {
    if (!v.secret.secretName) errs.push(fieldErrors.required(`${field}.secret.secretName`));
    errs.push(...validateMode(v.secret.defaultMode, `${field}.secret.defaultMode`));
  }
  if (v.configMap) {
    if (!v.configMap.name) errs.push(fieldErrors.required(`${field}.configMap.name`));
    errs.push(...validateMode(v.configMap.defaultMode, `${field}.configMap.defaultMode`));
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) {
    errs.push(fieldErrors.required(`${field}.persistentVolumeClaim.claimName`));
  }
  return errs;
}

/** ValidateVolumes: returns the names of the valid volumes, which volumeMounts may reference */
function validateVolumes(volumes: Obj[] | undefined, field: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const p = `${field}[${i}]`;
    const el = validateVolumeSource(v, p);
    if (!v.name) el.push(fieldErrors.required(`${p}.name`));
    else el.push(...dns1123Label(v.name, `${p}.name`));
    if (names.has(v.name)) el.push(fieldErrors.duplicate(`${p}.name`, v.name));
    if (el.length === 0) names.add(v.name);
    else errs.push(...el);
  });
  return { names, errs };
}

function validatePortNumOrName(port: unknown, field: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fieldErrors.invalid(field, port, m));
  if (typeof port === 'string') {
    if (port === '') return [fieldErrors.required(field)];
    return isValidPortName(port).map((m) => fieldErrors.invalid(field, port, m));
  }
  return [fieldErrors.invalid(field, port ?? null, 'must be an integer or string')];
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: Obj[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = `${field}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => fieldErrors.invalid(`${p}.name`, port.name, m)));
      else if (names.has(port.name)) errs.push(fieldErrors.duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErrors.required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => fieldErrors.invalid(`${p}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => fieldErrors.invalid(`${p}.hostPort`, port.hostPort, m)));
    if (!port.protocol) errs.push(fieldErrors.required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(fieldErrors.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
  });
  return errs;
}

const ENV_FIELD_PATHS = [
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

function validateEnv(env: Obj[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = `${field}[${i}]`;
    if (!ev.name) errs.push(fieldErrors.required(`${p}.name`));
    else errs.push(...isRelaxedEnvVarName(ev.name).map((m) => fieldErrors.invalid(`${p}.name`, ev.name, m)));
    const from = ev.valueFrom;
    if (!from) return;
    const vp = `${p}.valueFrom`;
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => from[k] != null);
    if (from.fieldRef) {
      const fp = `${vp}.fieldRef`;
      if (!from.fieldRef.apiVersion) errs.push(fieldErrors.required(`${fp}.apiVersion`));
      const path: string = from.fieldRef.fieldPath ?? '';
      if (!path) errs.push(fieldErrors.required(`${fp}.fieldPath`));
      else {
        const base = path.replace(/\['.*'\]$/, '');
        const subscripted = base !== path;
        if (!ENV_FIELD_PATHS.includes(base) || (subscripted !== (base === 'metadata.labels' || base === 'metadata.annotations'))) {
          errs.push(fieldErrors.notSupported(`${fp}.fieldPath`, path, ENV_FIELD_PATHS));
        }
      }
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      if (!from[k]) continue;
      if (!from[k].key) errs.push(fieldErrors.required(`${vp}.${k}.key`));
      else errs.push(...isConfigMapKey(from[k].key).map((m) => fieldErrors.invalid(`${vp}.${k}.key`, from[k].key, m)));
      if (!from[k].name) errs.push(fieldErrors.required(`${vp}.${k}.name`));
    }
    if (from.resourceFieldRef && !from.resourceFieldRef.resource) errs.push(fieldErrors.required(`${vp}.resourceFieldRef.resource`));
    if (sources.length === 0) {
      errs.push(fieldErrors.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (ev.value) {
      errs.push(fieldErrors.invalid(vp, '', 'may not be specified when `value` is not empty'));
    } else if (sources.length > 1) {
      errs.push(fieldErrors.invalid(vp, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: Obj[] | undefined, volumes: Set<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = `${field}[${i}]`;
    if (!m.name) errs.push(fieldErrors.required(`${p}.name`));
    if (!volumes.has(m.name)) errs.push(fieldErrors.notFound(`${p}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(fieldErrors.required(`${p}.mountPath`));
    if (mountPoints.has(m.mountPath)) errs.push(fieldErrors.invalid(`${p}.mountPath`, m.mountPath, 'must be unique'));
    mountPoints.add(m.mountPath);
    if (m.subPath) {
      if (String(m.subPath).startsWith('/')) errs.push(fieldErrors.invalid(`${field}.subPath`, m.subPath, 'must be a relative path'));
      if (String(m.subPath).split('/').includes('..')) errs.push(fieldErrors.invalid(`${field}.subPath`, m.subPath, "must not contain '..'"));
    }
  });
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

function validatePullPolicy(policy: string | undefined, field: string): FieldError[] {
  if (!policy) return [fieldErrors.required(field)];
  return PULL_POLICIES.includes(policy) ? [] : [fieldErrors.notSupported(field, policy, PULL_POLICIES)];
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** resources whose request may be below the limit (cpu, memory, ephemeral-storage) */
const OVERCOMMITTABLE = new Set(['cpu', 'memory', 'ephemeral-storage']);

function validateResourceName(name: string, field: string): FieldError[] {
  if (STANDARD_CONTAINER_RESOURCES.has(name) || name.startsWith('hugepages-')) return [];
  if (name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.')) return [];
  return [fieldErrors.invalid(field, name, 'must be a standard resource for containers')];
}

function validateResources(res: Obj | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits: Obj = res?.limits ?? {};
  const requests: Obj = res?.requests ?? {};
  const quantity = (name: string, q: unknown, p: string): FieldError[] => {
    const v = parseQuantity(q);
    if (v === undefined) return [fieldErrors.invalid(p, q, 'must be a valid quantity')];
    return v < 0 ? [fieldErrors.invalid(p, String(q), 'must be greater than or equal to 0')] : [];
  };
  for (const name of Object.keys(limits).sort()) {
    const p = `${field}.limits[${name}]`;
    errs.push(...validateResourceName(name, p), ...quantity(name, limits[name], p));
  }
  for (const name of Object.keys(requests).sort()) {
    const p = `${field}.requests[${name}]`;
    errs.push(...validateResourceName(name, p), ...quantity(name, requests[name], p));
    const req = parseQuantity(requests[name]);
    if (name in limits) {
      const lim = parseQuantity(limits[name]);
      if (req === undefined || lim === undefined) continue;
      if (req !== lim && !OVERCOMMITTABLE.has(name)) {
        errs.push(fieldErrors.invalid(`${field}.requests`, String(requests[name]), `must be equal to ${name} limit of ${limits[name]}`));
      } else if (req > lim) {
        errs.push(fieldErrors.invalid(`${field}.requests`, String(requests[name]), `must be less than or equal to ${name} limit of ${limits[name]}`));
      }
    } else if (!OVERCOMMITTABLE.has(name)) {
      errs.push(fieldErrors.required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

const HANDLER_TYPES = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

function validateHandler(h: Obj, field: string): FieldError[] {
  const present = HANDLER_TYPES.filter((k) => h[k] != null);
  if (present.length === 0) return [fieldErrors.required(field, 'must specify a handler type')];
  const errs: FieldError[] = [];
  for (const k of present.slice(1)) errs.push(fieldErrors.forbidden(`${field}.${k}`, 'may not specify more than 1 handler type'));
  const first = present[0];
  const hp = `${field}.${first}`;
  if (first === 'exec' && !(h.exec.command?.length > 0)) errs.push(fieldErrors.required(`${hp}.command`));
  if (first === 'httpGet') {
    if (!h.httpGet.path) errs.push(fieldErrors.required(`${hp}.path`));
    errs.push(...validatePortNumOrName(h.httpGet.port, `${hp}.port`));
    if (h.httpGet.scheme && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) errs.push(fieldErrors.notSupported(`${hp}.scheme`, h.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (first === 'tcpSocket') errs.push(...validatePortNumOrName(h.tcpSocket.port, `${hp}.port`));
  if (first === 'grpc') errs.push(...isValidPortNum(h.grpc.port).map((m) => fieldErrors.invalid(`${hp}.port`, h.grpc.port, m)));
  return errs;
}

function validateProbe(probe: Obj | undefined, field: string, successMustBeOne: boolean): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe, field);
  errs.push(...nonNegative(probe.initialDelaySeconds, `${field}.initialDelaySeconds`));
  errs.push(...nonNegative(probe.timeoutSeconds, `${field}.timeoutSeconds`));
  errs.push(...nonNegative(probe.periodSeconds, `${field}.periodSeconds`));
  errs.push(...nonNegative(probe.successThreshold, `${field}.successThreshold`));
  errs.push(...nonNegative(probe.failureThreshold, `${field}.failureThreshold`));
  if (probe.terminationGracePeriodSeconds != null && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(fieldErrors.invalid(`${field}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (successMustBeOne && probe.successThreshold !== 1) errs.push(fieldErrors.invalid(`${field}.successThreshold`, probe.successThreshold ?? 0, 'must be 1'));
  return errs;
}

function validateContainerCommon(c: Obj, volumes: Set<string>, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErrors.required(`${p}.name`));
  else errs.push(...dns1123Label(c.name, `${p}.name`));
  if (!c.image) errs.push(fieldErrors.required(`${p}.image`));
  switch (c.terminationMessagePolicy) {
    case 'File':
    case 'FallbackToLogsOnError':
      break;
    case undefined:
    case '':
      errs.push(fieldErrors.required(`${p}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
      break;
    default:
      errs.push(fieldErrors.invalid(`${p}.terminationMessagePolicy`, c.terminationMessagePolicy, "must be 'File' or 'FallbackToLogsOnError'"));
  }
  errs.push(...validateContainerPorts(c.ports, `${p}.ports`));
  errs.push(...validateEnv(c.env, `${p}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${p}.volumeMounts`));
  errs.push(...validatePullPolicy(c.imagePullPolicy, `${p}.imagePullPolicy`));
  errs.push(...validateResources(c.resources, `${p}.resources`));
  return errs;
}

function validateContainers(containers: Obj[] | undefined, volumes: Set<string>, field: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const list = containers ?? [];
  if (list.length === 0) errs.push(fieldErrors.required(field));
  list.forEach((c, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name)) errs.push(fieldErrors.duplicate(`${p}.name`, c.name));
    else names.add(c.name);
    errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${p}.startupProbe`, true));
    if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, `${p}.lifecycle.postStart`));
    if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, `${p}.lifecycle.preStop`));
    if (c.restartPolicy != null) errs.push(fieldErrors.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  // host ports must be unique across all containers of the pod
  const seen = new Set<string>();
  list.forEach((c, ci) => {
    (c.ports ?? []).forEach((port: Obj, pi: number) => {
      if (!port.hostPort) return;
      const key = `${port.hostIP ?? ''}/${port.protocol ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(fieldErrors.duplicate(`${field}[${ci}].ports[${pi}].hostPort`, key));
      seen.add(key);
    });
  });
  return errs;
}

function validateInitContainers(containers: Obj[] | undefined, volumes: Set<string>, field: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name)) errs.push(fieldErrors.duplicate(`${p}.name`, c.name));
    else names.add(c.name);
    if (c.restartPolicy != null && c.restartPolicy !== 'Always') {
      errs.push(fieldErrors.notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    }
  });
  return errs;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, field: string): FieldError[] {
  if (!allowEmpty && !effect) return [fieldErrors.required(field)];
  if (TAINT_EFFECTS.includes(effect ?? '')) return [];
  return [fieldErrors.notSupported(field, effect ?? '', TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: Obj[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = `${field}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${p}.key`));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(fieldErrors.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(fieldErrors.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isLabelValue(t.value ?? '');
        if (msgs.length > 0) errs.push(fieldErrors.invalid(`${p}.operator`, t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(fieldErrors.invalidRendered(`${p}.operator`, renderToleration(t), "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldErrors.notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, `${p}.effect`));
  });
  return errs;
}

const NODE_SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];

function validateNodeSelectorRequirement(req: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const n = (req.values ?? []).length;
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (n === 0) errs.push(fieldErrors.required(`${field}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (n > 0) errs.push(fieldErrors.forbidden(`${field}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (n !== 1) errs.push(fieldErrors.required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErrors.invalid(`${field}.operator`, req.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(req.key ?? '', `${field}.key`));
  return errs;
}

function validateNodeFieldSelectorRequirement(req: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (req.operator === 'In' || req.operator === 'NotIn') {
    if ((req.values ?? []).length !== 1) {
      errs.push(fieldErrors.required(`${field}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs.push(fieldErrors.invalid(`${field}.operator`, req.operator ?? '', 'not a valid selector operator'));
  }
  if (req.key !== 'metadata.name') errs.push(fieldErrors.notSupported(`${field}.key`, req.key ?? '', ['metadata.name']));
  return errs;
}

function validateNodeSelectorTerm(term: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r: Obj, j: number) => errs.push(...validateNodeSelectorRequirement(r, `${field}.matchExpressions[${j}]`)));
  (term.matchFields ?? []).forEach((r: Obj, j: number) => errs.push(...validateNodeFieldSelectorRequirement(r, `${field}.matchFields[${j}]`)));
  return errs;
}

function validateWeight(weight: number | undefined, field: string): FieldError[] {
  const w = weight ?? 0;
  return w <= 0 || w > 100 ? [fieldErrors.invalid(field, w, 'must be in the range 1-100')] : [];
}

function validatePodAffinityTerm(term: Obj, field: string): FieldError[] {
  const errs = validateLabelSelector(term.labelSelector, `${field}.labelSelector`);
  errs.push(...validateLabelSelector(term.namespaceSelector, `${field}.namespaceSelector`));
  for (const ns of term.namespaces ?? []) errs.push(...dns1123Label(ns, `${field}.namespace`));
  if (!term.topologyKey) errs.push(fieldErrors.required(`${field}.topologyKey`, 'can not be empty'));
  else errs.push(...validateLabelName(term.topologyKey, `${field}.topologyKey`));
  return errs;
}

function validatePodAffinityTerms(a: Obj | undefined, field: string): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const req = 'requiredDuringSchedulingIgnoredDuringExecution';
  const pref = 'preferredDuringSchedulingIgnoredDuringExecution';
  (a[req] ?? []).forEach((t: Obj, i: number) => errs.push(...validatePodAffinityTerm(t, `${field}.${req}[${i}]`)));
  (a[pref] ?? []).forEach((t: Obj, i: number) => {
    errs.push(...validateWeight(t.weight, `${field}.${pref}[${i}].weight`));
    errs.push(...validatePodAffinityTerm(t.podAffinityTerm ?? {}, `${field}.${pref}[${i}].podAffinityTerm`));
  });
  return errs;
}

export function validateAffinity(affinity: Obj | undefined, field: string): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na) {
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    const rp = `${field}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`;
    if (req) {
      const terms: Obj[] = req.nodeSelectorTerms ?? [];
      if (terms.length === 0) errs.push(fieldErrors.required(`${rp}.nodeSelectorTerms`, 'must have at least one node selector term'));
      terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${rp}.nodeSelectorTerms[${i}]`)));
    }
    const pp = `${field}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution`;
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: Obj, i: number) => {
      errs.push(...validateWeight(t.weight, `${pp}[${i}].weight`));
      errs.push(...validateNodeSelectorTerm(t.preference ?? {}, `${pp}[${i}].preference`));
    });
  }
  errs.push(...validatePodAffinityTerms(affinity.podAffinity, `${field}.podAffinity`));
  errs.push(...validatePodAffinityTerms(affinity.podAntiAffinity, `${field}.podAntiAffinity`));
  return errs;
}

export function validatePreemptionPolicy(policy: string | undefined, field: string): FieldError[] {
  if (policy === 'PreemptLowerPriority' || policy === 'Never') return [];
  if (!policy) return [fieldErrors.required(field)];
  return [fieldErrors.notSupported(field, policy, ['PreemptLowerPriority', 'Never'])];
}

const MAX_INT32 = 2147483647;

export function validatePodSpec(spec: Obj | undefined, field: string): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const { names: volumes, errs: volErrs } = validateVolumes(s.volumes, `${field}.volumes`);
  errs.push(...volErrs);
  const containerNames = new Set<string>();
  errs.push(...validateContainers(s.containers, volumes, `${field}.containers`, containerNames));
  errs.push(...validateInitContainers(s.initContainers, volumes, `${field}.initContainers`, containerNames));
  if (!s.restartPolicy) errs.push(fieldErrors.required(`${field}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(s.restartPolicy)) errs.push(fieldErrors.notSupported(`${field}.restartPolicy`, s.restartPolicy, RESTART_POLICIES));
  if (!s.dnsPolicy) errs.push(fieldErrors.required(`${field}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(s.dnsPolicy)) errs.push(fieldErrors.notSupported(`${field}.dnsPolicy`, s.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, `${field}.nodeSelector`));
  errs.push(...validateAffinity(s.affinity, `${field}.affinity`));
  if (s.serviceAccountName) {
    errs.push(...isDNS1123Subdomain(s.serviceAccountName).map((m) => fieldErrors.invalid(`${field}.serviceAccountName`, s.serviceAccountName, m)));
  }
  if (s.nodeName) errs.push(...isDNS1123Subdomain(s.nodeName).map((m) => fieldErrors.invalid(`${field}.nodeName`, s.nodeName, m)));
  if (s.activeDeadlineSeconds != null && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MAX_INT32)) {
    errs.push(fieldErrors.invalid(`${field}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  if (s.hostname) errs.push(...dns1123Label(s.hostname, `${field}.hostname`));
  if (s.subdomain) errs.push(...dns1123Label(s.subdomain, `${field}.subdomain`));
  if ((s.tolerations ?? []).length > 0) errs.push(...validateTolerations(s.tolerations, `${field}.tolerations`));
  if (s.priorityClassName) {
    errs.push(...isDNS1123Subdomain(s.priorityClassName).map((m) => fieldErrors.invalid(`${field}.priorityClassName`, s.priorityClassName, m)));
  }
  if (s.preemptionPolicy != null) errs.push(...validatePreemptionPolicy(s.preemptionPolicy, `${field}.preemptionPolicy`));
  return errs;
}

/** ValidatePodTemplateSpec: note upstream's path for template labels is `<field>.labels` */
export function validatePodTemplateSpec(template: Obj | undefined, field: string): FieldError[] {
  const t = template ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(t.metadata?.labels, `${field}.labels`));
  errs.push(...validateAnnotations(t.metadata?.annotations, `${field}.annotations`));
  errs.push(...validatePodSpec(t.spec, `${field}.spec`));
  if ((t.spec?.ephemeralContainers ?? []).length > 0) {
    errs.push(fieldErrors.forbidden(`${field}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

export function validatePod(pod: Obj): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain);
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  return errs;
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate: only images, activeDeadlineSeconds and added tolerations may change (upstream adds a diff to the message) */
export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  const spec: Obj = pod.spec ?? {};
  const oldSpec: Obj = old.spec ?? {};
  if (oldSpec.activeDeadlineSeconds != null) {
    if (spec.activeDeadlineSeconds == null) errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (spec.activeDeadlineSeconds > oldSpec.activeDeadlineSeconds) {
      errs.push(fieldErrors.invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be less than or equal to previous value'));
    }
  }
  const oldTolerations: Obj[] = oldSpec.tolerations ?? [];
  const newTolerations: Obj[] = spec.tolerations ?? [];
  oldTolerations.forEach((t, i) => {
    const kept = newTolerations.some((n) => deepEqual({ ...n, tolerationSeconds: undefined }, { ...t, tolerationSeconds: undefined }));
    if (!kept) errs.push(fieldErrors.forbidden(`spec.tolerations[${i}]`, 'existing toleration can not be modified except its tolerationSeconds'));
  });
  // compare everything else with the mutable fields masked
  const mask = (s: Obj, images: Obj): Obj => ({
    ...s,
    containers: (s.containers ?? []).map((c: Obj, i: number) => ({ ...c, image: images.containers?.[i]?.image })),
    initContainers: (s.initContainers ?? []).map((c: Obj, i: number) => ({ ...c, image: images.initContainers?.[i]?.image })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: oldSpec.terminationGracePeriodSeconds < 0 && s.terminationGracePeriodSeconds === 1 ? oldSpec.terminationGracePeriodSeconds : s.terminationGracePeriodSeconds,
  });
  const sameLength = (spec.containers ?? []).length === (oldSpec.containers ?? []).length;
  if (!sameLength || !deepEqual(mask(spec, oldSpec), mask(oldSpec, oldSpec))) errs.push(fieldErrors.forbidden('spec', POD_UPDATE_MESSAGE));
  return errs;
}
