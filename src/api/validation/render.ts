// Go %#v renderings of the few structs upstream puts into field errors as values, so that
// messages match byte for byte (apimachinery's field.Error dereferences pointers first).

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const q = (s: unknown): string => JSON.stringify(s ?? '');

function stringMap(m: Record<string, string> | undefined): string {
  if (m == null) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${q(k)}:${q(m[k])}`).join(', ')}}`;
}

function stringSlice(v: string[] | undefined): string {
  return v == null ? '[]string(nil)' : `[]string{${v.map(q).join(', ')}}`;
}

/** v1.LabelSelector{MatchLabels:..., MatchExpressions:...} */
export function renderLabelSelector(sel: Obj | undefined | null): string {
  if (sel == null) return 'null';
  const exprs = sel.matchExpressions as Obj[] | undefined;
  const renderedExprs =
    exprs == null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map((e) => `v1.LabelSelectorRequirement{Key:${q(e.key)}, Operator:${q(e.operator)}, Values:${stringSlice(e.values)}}`)
          .join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${stringMap(sel.matchLabels)}, MatchExpressions:${renderedExprs}}`;
}

/** intstr.IntOrString{Type:0, IntVal:1, StrVal:""} (a value type without a value Stringer) */
export function renderIntOrString(v: unknown): string {
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${q(v)}}`;
  return `intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`;
}

/** Go prints a non-nil pointer inside a struct as its address; any stable stand-in will do */
const FAKE_POINTER = '0xc000123456';

function ptr(type: string, v: unknown): string {
  return v == null ? `(*${type})(nil)` : `(*${type})(${FAKE_POINTER})`;
}

export function renderToleration(t: Obj): string {
  return `core.Toleration{Key:${q(t.key)}, Operator:${q(t.operator)}, Value:${q(t.value)}, Effect:${q(t.effect)}, TolerationSeconds:${ptr('int64', t.tolerationSeconds)}}`;
}

export function renderTaint(t: Obj): string {
  return `core.Taint{Key:${q(t.key)}, Value:${q(t.value)}, Effect:${q(t.effect)}, TimeAdded:${ptr('v1.Time', t.timeAdded)}}`;
}

export function renderDaemonSetUpdateStrategy(s: Obj): string {
  return `apps.DaemonSetUpdateStrategy{Type:${q(s.type)}, RollingUpdate:${ptr('apps.RollingUpdateDaemonSet', s.rollingUpdate)}}`;
}

export function renderDeploymentStrategy(s: Obj): string {
  return `apps.DeploymentStrategy{Type:${q(s.type)}, RollingUpdate:${ptr('apps.RollingUpdateDeployment', s.rollingUpdate)}}`;
}

/** map[string]string{...}, or map[string]string(nil) when absent */
export function renderStringMap(m: Record<string, string> | undefined | null): string {
  return stringMap(m ?? undefined);
}
