import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseKindConfig, parseTaint, versionFromImage, KindConfigError, DEFAULT_KUBERNETES_VERSION } from './config.js';

const example = (f: string) => readFileSync(new URL(`../../examples/${f}`, import.meta.url), 'utf8');

describe('kind config', () => {
  it('defaults to one control-plane named kind at v1.32.4', () => {
    const { spec, warnings } = parseKindConfig(undefined);
    expect(spec.name).toBe('kind');
    expect(spec.kubernetesVersion).toBe(DEFAULT_KUBERNETES_VERSION);
    expect(DEFAULT_KUBERNETES_VERSION).toBe('v1.32.4');
    expect(spec.image).toBe('kindest/node:v1.32.4');
    expect(spec.nodes).toEqual([{ role: 'control-plane', labels: {} }]);
    expect(warnings).toEqual([]);
  });

  it('reads the four-node example (name, roles)', () => {
    const { spec } = parseKindConfig(example('four-node.yaml'));
    expect(spec.name).toBe('four-node-kind');
    expect(spec.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker']);
    const three = parseKindConfig(example('three-node.yaml')).spec;
    expect(three.name).toBe('kind');
    expect(three.nodes).toHaveLength(3);
  });

  it('--name wins over the config name; --workers adds workers; --image and --kubernetes-version set the version', () => {
    const { spec } = parseKindConfig(example('four-node.yaml'), { name: 'other', workers: 2, image: 'kindest/node:v1.31.2@sha256:abc' });
    expect(spec.name).toBe('other');
    expect(spec.nodes).toHaveLength(6);
    expect(spec.kubernetesVersion).toBe('v1.31.2');
    expect(spec.image).toBe('kindest/node:v1.31.2@sha256:abc');
    expect(parseKindConfig('', { kubernetesVersion: '1.30.0' }).spec.kubernetesVersion).toBe('v1.30.0');
    expect(versionFromImage('kindest/node:v1.29.14')).toBe('v1.29.14');
  });

  it('node labels, and labels and taints through kubeadmConfigPatches nodeRegistration (v1beta3 and v1beta4)', () => {
    const text = `
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  kubeadmConfigPatches:
  - |
    kind: InitConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-labels: "ingress-ready=true,tier=front"
      taints: []
- role: worker
  labels:
    gpu: "yes"
  kubeadmConfigPatches:
  - |
    kind: JoinConfiguration
    nodeRegistration:
      kubeletExtraArgs:
      - name: register-with-taints
        value: dedicated=gpu:NoSchedule
  - |
    kind: InitConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-labels: "never=applied"
`;
    const { spec, warnings } = parseKindConfig(text);
    expect(spec.nodes[0].labels).toEqual({ 'ingress-ready': 'true', tier: 'front' });
    expect(spec.nodes[0].taints).toEqual([]);
    expect(spec.nodes[1].labels).toEqual({ gpu: 'yes' });
    expect(spec.nodes[1].taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    expect(warnings).toEqual([]);
  });

  it('warns, naming each unsupported option', () => {
    const text = `
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
networking:
  apiServerPort: 6443
  kubeProxyMode: ipvs
featureGates:
  Foo: true
kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
  apiServer:
    extraArgs: {v: "4"}
nodes:
- role: worker
- role: control-plane
  extraMounts:
  - hostPath: /tmp
    containerPath: /x
  extraPortMappings:
  - containerPort: 80
    hostPort: 80
`;
    const { warnings } = parseKindConfig(text);
    expect(warnings).toEqual([
      'kindling does not support networking.apiServerPort; it is ignored',
      'kindling does not support networking.kubeProxyMode; it is ignored',
      'kindling does not support featureGates; it is ignored',
      'kindling does not support kubeadmConfigPatches of kind ClusterConfiguration; it is ignored',
      'kindling does not support nodes[1].extraMounts; it is ignored',
      'kindling does not support nodes[1].extraPortMappings; it is ignored',
    ]);
  });

  it('errors like kind on bad input', () => {
    const base = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n';
    expect(() => parseKindConfig('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n')).toThrow('unknown apiVersion: kind.x-k8s.io/v1alpha3');
    expect(() => parseKindConfig('kind: Foo\napiVersion: kind.x-k8s.io/v1alpha4\n')).toThrow('unknown kind Foo for apiVersion: kind.x-k8s.io/v1alpha4');
    expect(() => parseKindConfig(base + 'nodez: []\n')).toThrow('field nodez not found in type v1alpha4.Cluster');
    expect(() => parseKindConfig(base + 'nodes:\n- role: master\n')).toThrow('invalid configuration for node 0: "master" is not a valid node role');
    expect(() => parseKindConfig(base + 'nodes:\n- role: worker\n')).toThrow('must have at least one control-plane node');
    expect(() => parseKindConfig(base + 'name: Bad_Name\n')).toThrow(KindConfigError);
    expect(() => parseKindConfig(base + 'name: Bad_Name\n')).toThrow("'Bad_Name' is not a valid cluster name, cluster names must match `^[a-z0-9.-]+$`");
  });

  it('parses taints in kubectl form', () => {
    expect(parseTaint('a=b:NoExecute')).toEqual({ key: 'a', value: 'b', effect: 'NoExecute' });
    expect(parseTaint('a:NoSchedule')).toEqual({ key: 'a', effect: 'NoSchedule' });
    expect(() => parseTaint('a=b:Sometimes')).toThrow('invalid taint effect: Sometimes, unsupported taint effect');
  });
});
