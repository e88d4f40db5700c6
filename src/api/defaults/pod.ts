// Pod and pod-template defaulting, as upstream's core/v1 SetDefaults_* functions plus the
// declarative (+default=) markers in k8s.io/api/core/v1. Objects are plain JSON, so a field is
// "unset" when it is undefined; Go's omitempty means we never add empty maps or lists.

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** Always for ":latest" or untagged images (a digest counts as a tag), else IfNotPresent */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  const [name, digest] = (image ?? '').split('@');
  // the tag follows the last ':' after the last '/' (a ':' before it is a registry port)
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  if (colon >= 0) return name.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
  // untagged: implicitly :latest, unless pinned by digest
  return digest ? 'IfNotPresent' : 'Always';
}

function defaultHTTPGet(h: Obj | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultHandler(h: Obj | undefined): void {
  if (!h) return;
  defaultHTTPGet(h.httpGet);
  if (h.grpc && h.grpc.service === undefined) h.grpc.service = '';
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHandler(p);
}

function defaultFieldRef(ref: Obj | undefined): void {
  if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
}

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) defaultFieldRef(e.valueFrom?.fieldRef);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCES.some((k) => v[k] != null)) v.emptyDir = {};
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = 420;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = 420;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = 420;
    for (const item of v.downwardAPI.items ?? []) defaultFieldRef(item.fieldRef);
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = 420;
    for (const src of v.projected.sources ?? []) {
      if (src.serviceAccountToken && src.serviceAccountToken.expirationSeconds === undefined) {
        src.serviceAccountToken.expirationSeconds = 3600;
      }
      for (const item of src.downwardAPI?.items ?? []) defaultFieldRef(item.fieldRef);
    }
  }
  if (v.image && !v.image.pullPolicy) v.image.pullPolicy = defaultPullPolicy(v.image.reference);
}

/** defaults every PodSpec gets, in pods and in templates (SetDefaults_PodSpec and below) */
export function defaultPodSpec(spec: Obj | undefined): void {
  if (!spec) return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds == null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // v1 conversion keeps the deprecated serviceAccount field equal to serviceAccountName
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

export function defaultPodTemplateSpec(template: Obj | undefined): void {
  if (!template) return;
  defaultPodSpec(template.spec);
}

function requestsFromLimits(c: Obj): void {
  const limits = c.resources?.limits;
  if (!limits) return;
  c.resources.requests ??= {};
  for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
}

/**
 * Pod-only defaults (SetDefaults_Pod): requests from limits, enableServiceLinks, host-network
 * host ports, and serviceAccountName "default" (upstream's ServiceAccount admission plugin).
 */
export function defaultPod(pod: Obj): void {
  pod.spec ??= {};
  const spec = pod.spec;
  for (const c of spec.containers ?? []) requestsFromLimits(c);
  for (const c of spec.initContainers ?? []) requestsFromLimits(c);
  if (spec.enableServiceLinks == null) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  if (!spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccountName = 'default';
  defaultPodSpec(spec);
}
