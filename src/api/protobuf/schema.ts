// Field-number tables for the Kubernetes messages kindling decodes, written from the
// upstream generated.proto files (k8s.io/api core/v1, apps/v1, batch/v1, policy/v1,
// scheduling/v1; k8s.io/apimachinery meta/v1, runtime, intstr, resource). Only the
// field numbers and JSON names are recorded; anything not listed is skipped on decode.

/** how one field's value is written on the wire and rendered in JSON */
export type ScalarType =
  | 'string'
  | 'int32'
  | 'int64'
  | 'bool'
  /** bytes rendered as base64, as Go's JSON does for []byte */
  | 'bytes'
  /** metav1.Time {1 seconds, 2 nanos} rendered as RFC 3339 (seconds, as Go's Time does) */
  | 'time'
  /** intstr.IntOrString {1 type, 2 intVal, 3 strVal} */
  | 'intstr'
  /** resource.Quantity {1 string} */
  | 'quantity'
  /** metav1.FieldsV1 {1 raw JSON bytes} rendered as the JSON value */
  | 'rawjson';

export interface FieldSpec {
  json: string;
  type: ScalarType | { msg: string };
  repeated?: boolean;
  /** map<string, value>: wire entries {1 key, 2 value} */
  map?: ScalarType;
  /**
   * keep zero values: the Go field is a pointer (present on the wire only when set) or a
   * field without omitempty; other zero scalars are omitted as Go's omitempty omits them
   */
  keep?: boolean;
  /** embedded Go struct: its fields are inlined into the parent's JSON object */
  inline?: boolean;
}

export type MessageSpec = Record<number, FieldSpec>;

// ---- tiny builders -----------------------------------------------------------------

const f = (json: string, type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({ json, type, ...extra });
const str = (json: string, extra?: Partial<FieldSpec>) => f(json, 'string', extra);
const i32 = (json: string, extra?: Partial<FieldSpec>) => f(json, 'int32', extra);
const i64 = (json: string, extra?: Partial<FieldSpec>) => f(json, 'int64', extra);
const bool = (json: string, extra?: Partial<FieldSpec>) => f(json, 'bool', extra);
const msg = (json: string, name: string, extra?: Partial<FieldSpec>) => f(json, { msg: name }, extra);
const strs = (json: string) => f(json, 'string', { repeated: true });
const msgs = (json: string, name: string) => f(json, { msg: name }, { repeated: true });
const map = (json: string, value: ScalarType = 'string') => f(json, 'string', { map: value });
const KEEP = { keep: true };

export const MESSAGES: Record<string, MessageSpec> = {
  // ---- runtime ----
  Unknown: { 1: msg('typeMeta', 'RuntimeTypeMeta'), 2: f('raw', 'bytes'), 3: str('contentEncoding'), 4: str('contentType') },
  RuntimeTypeMeta: { 1: str('apiVersion'), 2: str('kind') },

  // ---- meta/v1 ----
  ObjectMeta: {
    1: str('name'),
    2: str('generateName'),
    3: str('namespace'),
    4: str('selfLink'),
    5: str('uid'),
    6: str('resourceVersion'),
    7: i64('generation'),
    8: f('creationTimestamp', 'time'),
    9: f('deletionTimestamp', 'time'),
    10: i64('deletionGracePeriodSeconds', KEEP),
    11: map('labels'),
    12: map('annotations'),
    13: msgs('ownerReferences', 'OwnerReference'),
    14: strs('finalizers'),
    17: msgs('managedFields', 'ManagedFieldsEntry'),
  },
  OwnerReference: { 5: str('apiVersion'), 1: str('kind'), 3: str('name'), 4: str('uid'), 6: bool('controller', KEEP), 7: bool('blockOwnerDeletion', KEEP) },
  ManagedFieldsEntry: {
    1: str('manager'),
    2: str('operation'),
    3: str('apiVersion'),
    4: f('time', 'time'),
    6: str('fieldsType'),
    7: msg('fieldsV1', 'FieldsV1Raw', { inline: false }),
    8: str('subresource'),
  },
  LabelSelector: { 1: map('matchLabels'), 2: msgs('matchExpressions', 'LabelSelectorRequirement') },
  LabelSelectorRequirement: { 1: str('key'), 2: str('operator'), 3: strs('values') },
  DeleteOptions: {
    1: i64('gracePeriodSeconds', KEEP),
    2: msg('preconditions', 'Preconditions'),
    3: bool('orphanDependents', KEEP),
    4: str('propagationPolicy', KEEP),
    5: strs('dryRun'),
    6: bool('ignoreStoreReadErrorWithClusterBreakingPotential', KEEP),
  },
  Preconditions: { 1: str('uid', KEEP), 2: str('resourceVersion', KEEP) },

  // ---- core/v1: small kinds ----
  Namespace: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'NamespaceSpec'), 3: msg('status', 'NamespaceStatus') },
  NamespaceSpec: { 1: strs('finalizers') },
  NamespaceStatus: { 1: str('phase') },
  ConfigMap: { 1: msg('metadata', 'ObjectMeta'), 2: map('data'), 3: map('binaryData', 'bytes'), 4: bool('immutable', KEEP) },
  Secret: { 1: msg('metadata', 'ObjectMeta'), 2: map('data', 'bytes'), 3: str('type'), 4: map('stringData'), 5: bool('immutable', KEEP) },
  ServiceAccount: {
    1: msg('metadata', 'ObjectMeta'),
    2: msgs('secrets', 'ObjectReference'),
    3: msgs('imagePullSecrets', 'LocalObjectReference'),
    4: bool('automountServiceAccountToken', KEEP),
  },
  ObjectReference: { 1: str('kind'), 2: str('namespace'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'), 6: str('resourceVersion'), 7: str('fieldPath') },
  LocalObjectReference: { 1: str('name') },

  // ---- core/v1: Service ----
  Service: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'ServiceSpec'), 3: msg('status', 'ServiceStatus') },
  ServiceSpec: {
    1: msgs('ports', 'ServicePort'),
    2: map('selector'),
    3: str('clusterIP'),
    18: strs('clusterIPs'),
    4: str('type'),
    5: strs('externalIPs'),
    7: str('sessionAffinity'),
    8: str('loadBalancerIP'),
    9: strs('loadBalancerSourceRanges'),
    10: str('externalName'),
    11: str('externalTrafficPolicy'),
    12: i32('healthCheckNodePort'),
    13: bool('publishNotReadyAddresses'),
    14: msg('sessionAffinityConfig', 'SessionAffinityConfig'),
    19: strs('ipFamilies'),
    17: str('ipFamilyPolicy', KEEP),
    20: bool('allocateLoadBalancerNodePorts', KEEP),
    21: str('loadBalancerClass', KEEP),
    22: str('internalTrafficPolicy', KEEP),
    23: str('trafficDistribution', KEEP),
  },
  // targetPort 0 and unset mean the same upstream (defaulted to port), so a zero IntOrString is omitted
  ServicePort: { 1: str('name'), 2: str('protocol'), 6: str('appProtocol', KEEP), 3: i32('port', KEEP), 4: f('targetPort', 'intstr'), 5: i32('nodePort') },
  SessionAffinityConfig: { 1: msg('clientIP', 'ClientIPConfig') },
  ClientIPConfig: { 1: i32('timeoutSeconds', KEEP) },
  ServiceStatus: { 1: msg('loadBalancer', 'LoadBalancerStatus') },
  LoadBalancerStatus: { 1: msgs('ingress', 'LoadBalancerIngress') },
  LoadBalancerIngress: { 1: str('ip'), 2: str('hostname'), 3: str('ipMode', KEEP) },

  // ---- core/v1: pods ----
  Pod: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec'), 3: msg('status', 'PodStatusEmpty') },
  PodStatusEmpty: {},
  PodTemplateSpec: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'PodSpec') },
  PodSpec: {
    20: msgs('initContainers', 'Container'),
    2: msgs('containers', 'Container'),
    3: str('restartPolicy'),
    4: i64('terminationGracePeriodSeconds', KEEP),
    5: i64('activeDeadlineSeconds', KEEP),
    6: str('dnsPolicy'),
    7: map('nodeSelector'),
    8: str('serviceAccountName'),
    9: str('serviceAccount'),
    21: bool('automountServiceAccountToken', KEEP),
    10: str('nodeName'),
    11: bool('hostNetwork'),
    12: bool('hostPID'),
    13: bool('hostIPC'),
    27: bool('shareProcessNamespace', KEEP),
    14: msg('securityContext', 'PodSecurityContext'),
    15: msgs('imagePullSecrets', 'LocalObjectReference'),
    16: str('hostname'),
    17: str('subdomain'),
    19: str('schedulerName'),
    22: msgs('tolerations', 'Toleration'),
    23: msgs('hostAliases', 'HostAlias'),
    24: str('priorityClassName'),
    25: i32('priority', KEEP),
    26: msg('dnsConfig', 'PodDNSConfig'),
    28: msgs('readinessGates', 'PodReadinessGate'),
    29: str('runtimeClassName', KEEP),
    30: bool('enableServiceLinks', KEEP),
    31: str('preemptionPolicy', KEEP),
    32: map('overhead', 'quantity'),
    35: bool('setHostnameAsFQDN', KEEP),
    36: msg('os', 'PodOS'),
    37: bool('hostUsers', KEEP),
    38: msgs('schedulingGates', 'PodSchedulingGate'),
    40: msg('resources', 'ResourceRequirements'),
    41: str('hostnameOverride', KEEP),
  },
  Container: {
    1: str('name'),
    2: str('image'),
    3: strs('command'),
    4: strs('args'),
    5: str('workingDir'),
    6: msgs('ports', 'ContainerPort'),
    7: msgs('env', 'EnvVar'),
    8: msg('resources', 'ResourceRequirements'),
    9: msgs('volumeMounts', 'VolumeMount'),
    13: str('terminationMessagePath'),
    14: str('imagePullPolicy'),
    15: msg('securityContext', 'SecurityContext'),
    16: bool('stdin'),
    17: bool('stdinOnce'),
    18: bool('tty'),
    20: str('terminationMessagePolicy'),
    23: msgs('resizePolicy', 'ContainerResizePolicy'),
    24: str('restartPolicy', KEEP),
  },
  ContainerPort: { 1: str('name'), 2: i32('hostPort'), 3: i32('containerPort', KEEP), 4: str('protocol'), 5: str('hostIP') },
  ContainerResizePolicy: { 1: str('resourceName'), 2: str('restartPolicy') },
  ResourceRequirements: { 1: map('limits', 'quantity'), 2: map('requests', 'quantity'), 3: msgs('claims', 'ResourceClaim') },
  ResourceClaim: { 1: str('name'), 2: str('request') },
  EnvVar: { 1: str('name'), 2: str('value'), 3: msg('valueFrom', 'EnvVarSource') },
  EnvVarSource: {
    1: msg('fieldRef', 'ObjectFieldSelector'),
    2: msg('resourceFieldRef', 'ResourceFieldSelector'),
    3: msg('configMapKeyRef', 'KeySelector'),
    4: msg('secretKeyRef', 'KeySelector'),
  },
  ObjectFieldSelector: { 1: str('apiVersion'), 2: str('fieldPath') },
  ResourceFieldSelector: { 1: str('containerName'), 2: str('resource'), 3: f('divisor', 'quantity') },
  // ConfigMapKeySelector and SecretKeySelector share their layout
  KeySelector: { 1: msg('localObjectReference', 'LocalObjectReference', { inline: true }), 2: str('key'), 3: bool('optional', KEEP) },
  VolumeMount: {
    1: str('name'),
    2: bool('readOnly'),
    7: str('recursiveReadOnly', KEEP),
    3: str('mountPath'),
    4: str('subPath'),
    5: str('mountPropagation', KEEP),
    6: str('subPathExpr'),
  },
  Toleration: { 1: str('key'), 2: str('operator'), 3: str('value'), 4: str('effect'), 5: i64('tolerationSeconds', KEEP) },
  HostAlias: { 1: str('ip'), 2: strs('hostnames') },
  PodDNSConfig: { 1: strs('nameservers'), 2: strs('searches'), 3: msgs('options', 'PodDNSConfigOption') },
  PodDNSConfigOption: { 1: str('name'), 2: str('value', KEEP) },
  PodReadinessGate: { 1: str('conditionType') },
  PodOS: { 1: str('name') },
  PodSchedulingGate: { 1: str('name') },
  PodSecurityContext: {
    1: msg('seLinuxOptions', 'SELinuxOptions'),
    2: i64('runAsUser', KEEP),
    6: i64('runAsGroup', KEEP),
    3: bool('runAsNonRoot', KEEP),
    4: f('supplementalGroups', 'int64', { repeated: true }),
    12: str('supplementalGroupsPolicy', KEEP),
    5: i64('fsGroup', KEEP),
    9: str('fsGroupChangePolicy', KEEP),
    10: msg('seccompProfile', 'SeccompProfile'),
    13: str('seLinuxChangePolicy', KEEP),
  },
  SecurityContext: {
    1: msg('capabilities', 'Capabilities'),
    2: bool('privileged', KEEP),
    3: msg('seLinuxOptions', 'SELinuxOptions'),
    4: i64('runAsUser', KEEP),
    8: i64('runAsGroup', KEEP),
    5: bool('runAsNonRoot', KEEP),
    6: bool('readOnlyRootFilesystem', KEEP),
    7: bool('allowPrivilegeEscalation', KEEP),
    9: str('procMount', KEEP),
    11: msg('seccompProfile', 'SeccompProfile'),
  },
  Capabilities: { 1: strs('add'), 2: strs('drop') },
  SELinuxOptions: { 1: str('user'), 2: str('role'), 3: str('type'), 4: str('level') },
  SeccompProfile: { 1: str('type'), 2: str('localhostProfile', KEEP) },

  // ---- apps/v1 ----
  Deployment: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'DeploymentSpec'), 3: msg('status', 'DeploymentStatus') },
  DeploymentSpec: {
    1: i32('replicas', KEEP),
    2: msg('selector', 'LabelSelector'),
    3: msg('template', 'PodTemplateSpec'),
    4: msg('strategy', 'DeploymentStrategy'),
    5: i32('minReadySeconds'),
    6: i32('revisionHistoryLimit', KEEP),
    7: bool('paused'),
    9: i32('progressDeadlineSeconds', KEEP),
  },
  DeploymentStrategy: { 1: str('type'), 2: msg('rollingUpdate', 'RollingUpdate') },
  // RollingUpdateDeployment and RollingUpdateDaemonSet: pointers to IntOrString
  RollingUpdate: { 1: f('maxUnavailable', 'intstr', KEEP), 2: f('maxSurge', 'intstr', KEEP) },
  DeploymentStatus: {
    1: i64('observedGeneration'),
    2: i32('replicas'),
    3: i32('updatedReplicas'),
    7: i32('readyReplicas'),
    4: i32('availableReplicas'),
    5: i32('unavailableReplicas'),
    9: i32('terminatingReplicas', KEEP),
    8: i32('collisionCount', KEEP),
  },
  DaemonSet: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'DaemonSetSpec'), 3: msg('status', 'DaemonSetStatus') },
  DaemonSetSpec: {
    1: msg('selector', 'LabelSelector'),
    2: msg('template', 'PodTemplateSpec'),
    3: msg('updateStrategy', 'DaemonSetUpdateStrategy'),
    4: i32('minReadySeconds'),
    6: i32('revisionHistoryLimit', KEEP),
  },
  DaemonSetUpdateStrategy: { 1: str('type'), 2: msg('rollingUpdate', 'RollingUpdate') },
  DaemonSetStatus: {
    1: i32('currentNumberScheduled', KEEP),
    2: i32('numberMisscheduled', KEEP),
    3: i32('desiredNumberScheduled', KEEP),
    4: i32('numberReady', KEEP),
    5: i64('observedGeneration'),
    6: i32('updatedNumberScheduled'),
    7: i32('numberAvailable'),
    8: i32('numberUnavailable'),
    9: i32('collisionCount', KEEP),
  },

  // ---- batch/v1 ----
  Job: { 1: msg('metadata', 'ObjectMeta'), 2: msg('spec', 'JobSpec'), 3: msg('status', 'JobStatusEmpty') },
  JobStatusEmpty: {},
  JobSpec: {
    1: i32('parallelism', KEEP),
    2: i32('completions', KEEP),
    3: i64('activeDeadlineSeconds', KEEP),
    7: i32('backoffLimit', KEEP),
    12: i32('backoffLimitPerIndex', KEEP),
    13: i32('maxFailedIndexes', KEEP),
    4: msg('selector', 'LabelSelector'),
    5: bool('manualSelector', KEEP),
    6: msg('template', 'PodTemplateSpec'),
    8: i32('ttlSecondsAfterFinished', KEEP),
    9: str('completionMode', KEEP),
    10: bool('suspend', KEEP),
    14: str('podReplacementPolicy', KEEP),
    15: str('managedBy', KEEP),
  },

  // ---- scheduling/v1, policy/v1 ----
  PriorityClass: {
    1: msg('metadata', 'ObjectMeta'),
    // value has no omitempty in Go: 0 is written in JSON too
    2: i32('value', KEEP),
    3: bool('globalDefault'),
    4: str('description'),
    5: str('preemptionPolicy', KEEP),
  },
  Eviction: { 1: msg('metadata', 'ObjectMeta'), 2: msg('deleteOptions', 'DeleteOptions') },
};

/** FieldsV1 is decoded specially (its raw bytes are JSON) */
MESSAGES.FieldsV1Raw = { 1: f('Raw', 'rawjson') };

/** the top-level kinds we decode: "apiVersion/kind" -> message */
export const KINDS: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'v1/Service': 'Service',
  'v1/Pod': 'Pod',
  'v1/DeleteOptions': 'DeleteOptions',
  'meta.k8s.io/v1/DeleteOptions': 'DeleteOptions',
  'apps/v1/Deployment': 'Deployment',
  'apps/v1/DaemonSet': 'DaemonSet',
  'batch/v1/Job': 'Job',
  'scheduling.k8s.io/v1/PriorityClass': 'PriorityClass',
  'policy/v1/Eviction': 'Eviction',
};
