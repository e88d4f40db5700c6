// Service, Namespace, Node, ConfigMap, Secret and other core/v1 validation
// (pkg/apis/core/validation), with upstream's paths and messages.

import { fieldErrors, type FieldError } from '../errors.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from './names.js';
import { immutable, validateLabelName, validateLabels, validateObjectMeta, validateObjectMetaUpdate, type Obj } from './meta.js';
import { validateTaintEffect } from './pod.js';
import { renderTaint } from './render.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** the node port range kindling allocates from (kube-apiserver's --service-node-port-range default) */
export const NODE_PORT_RANGE = { base: 30000, size: 2768 };

function isHeadless(spec: Obj): boolean {
  return spec.clusterIP === 'None';
}

function validateServicePort(sp: Obj, requireName: boolean, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(fieldErrors.required(`${field}.name`));
  else if (sp.name) errs.push(...isDNS1123Label(sp.name).map((m) => fieldErrors.invalid(`${field}.name`, sp.name, m)));
  errs.push(...isValidPortNum(sp.port).map((m) => fieldErrors.invalid(`${field}.port`, sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(fieldErrors.required(`${field}.protocol`));
  else if (!PROTOCOLS.includes(sp.protocol)) errs.push(fieldErrors.notSupported(`${field}.protocol`, sp.protocol, PROTOCOLS));
  const tp = sp.targetPort;
  if (typeof tp === 'number') errs.push(...isValidPortNum(tp).map((m) => fieldErrors.invalid(`${field}.targetPort`, tp, m)));
  else if (typeof tp === 'string' && tp !== '') errs.push(...isValidPortName(tp).map((m) => fieldErrors.invalid(`${field}.targetPort`, tp, m)));
  return errs;
}

export function validateService(svc: Obj): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label);
  const spec: Obj = svc.spec ?? {};
  const ports: Obj[] = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName') errs.push(fieldErrors.required('spec.ports'));
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP) errs.push(fieldErrors.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    const name: string = spec.externalName ?? '';
    if (!name) errs.push(fieldErrors.required('spec.externalName'));
    else {
      const bare = name.endsWith('.') ? name.slice(0, -1) : name;
      const msgs = isDNS1123Subdomain(bare);
      if (msgs.length > 0) errs.push(fieldErrors.invalid('spec.externalName', bare, msgs.join(',')));
      else if (bare.split('.').length < 2) errs.push(fieldErrors.invalid('spec.externalName', bare, 'should be a domain with at least two segments separated by dots'));
    }
  }
  const names = new Set<string>();
  ports.forEach((sp, i) => {
    const p = `spec.ports[${i}]`;
    errs.push(...validateServicePort(sp, ports.length > 1, p));
    if (sp.name) {
      if (names.has(sp.name)) errs.push(fieldErrors.duplicate(`${p}.name`, sp.name));
      names.add(sp.name);
    }
  });
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.sessionAffinity && !['ClientIP', 'None'].includes(spec.sessionAffinity)) {
    errs.push(fieldErrors.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  }
  if (!spec.type) errs.push(fieldErrors.required('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(fieldErrors.notSupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((sp, i) => {
      if (sp.nodePort) errs.push(fieldErrors.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  // duplicate port+protocol pairs
  const seen = new Set<string>();
  ports.forEach((sp, i) => {
    const key = `${sp.port}/${sp.protocol}`;
    if (seen.has(key)) errs.push(fieldErrors.duplicate(`spec.ports[${i}]`, `${sp.port}/${sp.protocol}`));
    seen.add(key);
  });
  // the allocator's range check (upstream reports it from the node port allocator on create/update)
  const last = NODE_PORT_RANGE.base + NODE_PORT_RANGE.size - 1;
  ports.forEach((sp, i) => {
    if (sp.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && (sp.nodePort < NODE_PORT_RANGE.base || sp.nodePort > last)) {
      errs.push(
        fieldErrors.invalid(`spec.ports[${i}].nodePort`, sp.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.base}-${last}`),
      );
    }
  });
  return errs;
}

export function validateServiceUpdate(svc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const oldIP = old.spec?.clusterIP;
  const newIP = svc.spec?.clusterIP;
  // a set ClusterIP cannot change, except when the type moves to ExternalName
  if (oldIP && newIP && oldIP !== newIP && svc.spec?.type !== 'ExternalName') {
    errs.push(fieldErrors.invalid('spec.clusterIPs[0]', newIP, 'may not change once set'));
  }
  errs.push(...validateService(svc).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

export function validateNamespace(ns: Obj): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel);
  (ns.spec?.finalizers ?? []).forEach((f: string, i: number) => {
    if (!f.includes('/') && f !== 'kubernetes') {
      errs.push(fieldErrors.invalid(`spec.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

export function validateNamespaceUpdate(ns: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

/** node taints; upstream reports them under metadata.taints (sic) */
export function validateNodeTaints(taints: Obj[] | undefined, field = 'metadata.taints'): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateLabelName(t.key ?? '', `${p}.key`));
    const msgs = isLabelValue(t.value ?? '');
    if (msgs.length > 0) errs.push(fieldErrors.invalid(`${p}.value`, t.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, `${p}.effect`));
    const key = `${t.effect ?? ''}\u0000${t.key ?? ''}`;
    if (seen.has(key)) {
      errs.push({ type: 'FieldValueDuplicate', field: p, message: `Duplicate value: ${renderTaint(t)}: taints must be unique by key and effect pair` });
    } else seen.add(key);
  });
  return errs;
}

export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  if ((node.spec?.taints ?? []).length > 0) errs.push(...validateNodeTaints(node.spec.taints));
  return errs;
}

export function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  if ((node.spec?.taints ?? []).length > 0) errs.push(...validateNodeTaints(node.spec.taints));
  const oldCIDR = old.spec?.podCIDR;
  if (oldCIDR && node.spec?.podCIDR !== oldCIDR) errs.push(fieldErrors.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(fieldErrors.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

const MAX_CONFIG_SIZE = 1024 * 1024;

function validateDataKeys(obj: Obj, dataField: string, binaryField: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  const data: Obj = obj[dataField] ?? {};
  const binary: Obj = obj[binaryField] ?? {};
  for (const k of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => fieldErrors.invalid(`${dataField}[${k}]`, k, m)));
    size += Buffer.byteLength(String(data[k]));
  }
  for (const k of Object.keys(binary).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => fieldErrors.invalid(`${binaryField}[${k}]`, k, m)));
    if (k in data) errs.push(fieldErrors.invalid(`${binaryField}[${k}]`, k, `duplicate of key present in ${dataField}`));
    size += Buffer.from(String(binary[k]), 'base64').length;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(fieldErrors.tooLong('', '', MAX_CONFIG_SIZE));
  return errs;
}

export function validateConfigMap(cm: Obj): FieldError[] {
  return [...validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain), ...validateDataKeys(cm, 'data', 'binaryData')];
}

export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldError[] {
  const errs = [...validateObjectMetaUpdate(cm.metadata, old.metadata)];
  if (old.immutable) {
    errs.push(...immutable(cm.data, old.data, 'data').map(() => fieldErrors.forbidden('data', 'field is immutable when `immutable` is set')));
    errs.push(...immutable(cm.binaryData, old.binaryData, 'binaryData').map(() => fieldErrors.forbidden('binaryData', 'field is immutable when `immutable` is set')));
    if (!cm.immutable) errs.push(fieldErrors.forbidden('immutable', 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateDataKeys(cm, 'data', 'binaryData'));
  return errs;
}

export function validateSecret(secret: Obj): FieldError[] {
  const errs = [...validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain)];
  const data: Obj = secret.data ?? {};
  let size = 0;
  for (const k of Object.keys(data).sort()) {
    errs.push(...isConfigMapKey(k).map((m) => fieldErrors.invalid(`data[${k}]`, k, m)));
    size += Buffer.from(String(data[k]), 'base64').length;
  }
  if (size > MAX_CONFIG_SIZE) errs.push(fieldErrors.tooLong('data', '', MAX_CONFIG_SIZE));
  return errs;
}

export function validateSecretUpdate(secret: Obj, old: Obj): FieldError[] {
  const errs = [...validateObjectMetaUpdate(secret.metadata, old.metadata)];
  errs.push(...immutable(secret.type ?? '', old.type ?? '', 'type'));
  if (old.immutable) {
    errs.push(...immutable(secret.data, old.data, 'data').map(() => fieldErrors.forbidden('data', 'field is immutable when `immutable` is set')));
  }
  errs.push(...validateSecret(secret).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

/** objects whose only rules are ObjectMeta's (ServiceAccount, Endpoints, events, EndpointSlice) */
export function validateGenericNamespaced(obj: Obj): FieldError[] {
  return validateObjectMeta(obj.metadata, true, nameIsDNSSubdomain);
}

export function validateGenericUpdate(obj: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}
