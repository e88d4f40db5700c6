// The page: toolbar (DaemonSet, namespace, grouping, label filter, node search), the node grid,
// and a side panel with the DaemonSet's counters and rollout chart and the chosen node's details.

import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { View } from './view.js';
import { Grid, STATE_COLOR, drawMarks, drawSwatch, type Cell, type Group } from './grid.js';
import { RolloutChart, SERIES } from './chart.js';
import {
  STATE_LABEL,
  STATE_ORDER,
  cellState,
  compareNames,
  currentRevisionHash,
  formatTaint,
  groupValue,
  groupingKeys,
  matchesLabels,
  nodeMarks,
  parseLabelFilter,
  parseTaint,
  ownedBy,
  isPodUpdated,
  NO_GROUP,
  ROLE_GROUP,
  type CellState,
  type DaemonSetObject,
  type NodeObject,
  type Verdict,
} from './model.js';
import { addTaint, removeTaint, rolloutRestart, setCordon, setNodeRunning } from './actions.js';
import './style.css';

const view = new View(new AbortController().signal);

function useView(): number {
  const [, setTick] = useState(0);
  useEffect(() => view.subscribe(() => setTick(view.version)), []);
  return view.version;
}

/** say what an action did, or why it failed */
function useToast(): [string | undefined, (p: Promise<unknown>, ok: string) => void] {
  const [msg, setMsg] = useState<string | undefined>();
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const run = (p: Promise<unknown>, ok: string) => {
    p.then(
      () => setMsg(ok),
      (e: Error) => setMsg(`Failed: ${e.message}`),
    ).finally(() => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setMsg(undefined), 6000);
    });
  };
  return [msg, run];
}

const dsKey = (d: DaemonSetObject) => `${d.metadata.namespace}/${d.metadata.name}`;

/** a short why for a cell: the explain verdict's first reason, or the pod's trouble */
function cellReason(state: CellState, verdict: Verdict | undefined): string | undefined {
  if (state === 'crashloop') return 'container in CrashLoopBackOff';
  const r = verdict?.reasons.find((x) => x.blocking) ?? (state === 'old' ? verdict?.reasons[0] : undefined);
  return r?.message;
}

function App() {
  useView();
  const [namespace, setNamespace] = useState('');
  const [groupBy, setGroupBy] = useState(NO_GROUP);
  const [filterText, setFilterText] = useState('');
  const [search, setSearch] = useState('');
  const [toast, act] = useToast();

  const filter = useMemo(() => {
    try {
      return { reqs: parseLabelFilter(filterText), error: undefined };
    } catch (e) {
      return { reqs: [], error: (e as Error).message };
    }
  }, [filterText]);

  const daemonsets = [...view.daemonsets.items.values()].sort((a, b) => compareNames(dsKey(a), dsKey(b)));
  const namespaces = [...new Set(daemonsets.map((d) => d.metadata.namespace!))].sort();
  const shownDs = daemonsets.filter((d) => !namespace || d.metadata.namespace === namespace);
  const ds = view.ds();

  const sortedNodes = useMemo(() => [...view.nodes.items.values()].sort((a, b) => compareNames(a.metadata.name, b.metadata.name)), [view.nodes.membership]);
  const keys = useMemo(() => groupingKeys(view.nodes.items.values()), [view.nodes.membership]);

  // the cells, by group
  const hash = ds ? currentRevisionHash(ds, view.revisions.items.values()) : undefined;
  const podsByNode = view.podsByNode();
  const byNode = view.verdicts.kind === 'ok' ? view.verdicts.byNode : undefined;
  const groups: Group[] = [];
  const counts = new Map<CellState, number>();
  let shownNodes = 0;
  {
    const byTitle = new Map<string, Cell[]>();
    for (const n of sortedNodes) {
      const node = view.nodes.items.get(n.metadata.name) ?? n;
      if (!matchesLabels(node.metadata.labels, filter.reqs)) continue;
      shownNodes++;
      const verdict = byNode?.get(node.metadata.name);
      const state: CellState = ds ? cellState(podsByNode.get(node.metadata.name) ?? [], ds, hash, verdict) : 'none-unknown';
      counts.set(state, (counts.get(state) ?? 0) + 1);
      const title = groupBy === NO_GROUP ? '' : `${groupBy === ROLE_GROUP ? 'role' : groupBy}: ${groupValue(node, groupBy)}`;
      let list = byTitle.get(title);
      if (!list) byTitle.set(title, (list = []));
      list.push({ node: node.metadata.name, state, marks: nodeMarks(node), reason: cellReason(state, verdict) });
    }
    for (const [title, cells] of [...byTitle.entries()].sort((a, b) => compareNames(a[0], b[0]))) groups.push({ title: title ? `${title}  (${cells.length})` : '', cells });
  }

  return (
    <div class="app">
      <header class="bar">
        <span class="brand">kindling</span>
        <label>
          DaemonSet
          <select aria-label="DaemonSet" value={view.chosenDs ?? ''} onChange={(e) => view.choose((e.target as HTMLSelectElement).value || undefined, true)}>
            {!shownDs.length && <option value="">none</option>}
            {shownDs.map((d) => (
              <option value={dsKey(d)}>{dsKey(d)}</option>
            ))}
          </select>
        </label>
        <label>
          Namespace
          <select aria-label="Namespace" value={namespace} onChange={(e) => setNamespace((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {namespaces.map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy((e.target as HTMLSelectElement).value)}>
            <option value={NO_GROUP}>nothing</option>
            <option value={ROLE_GROUP}>role</option>
            {keys.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
        <label class={filter.error ? 'bad' : ''} title={filter.error ?? 'a label selector, as kubectl -l takes it'}>
          Nodes
          <input aria-label="Node label filter" placeholder="label selector, e.g. zone=a" value={filterText} onInput={(e) => setFilterText((e.target as HTMLInputElement).value)} />
        </label>
        <form
          class="find"
          onSubmit={(e) => {
            e.preventDefault();
            const hit = sortedNodes.find((n) => n.metadata.name === search) ?? sortedNodes.find((n) => n.metadata.name.includes(search));
            if (hit) view.chooseNode(hit.metadata.name);
          }}
        >
          <input aria-label="Find node" placeholder="find node" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} list="node-names" />
          <datalist id="node-names">{sortedNodes.length <= 500 && sortedNodes.map((n) => <option value={n.metadata.name} />)}</datalist>
        </form>
        <span class={`live ${view.live ? 'up' : 'down'}`} role="status" aria-live="polite">
          {view.live ? '● live' : '○ connecting…'}
        </span>
      </header>
      <Legend counts={counts} />
      <main class="main">
        <GridPane groups={groups} selected={view.chosenNode} />
        <aside class="side">
          <DsSummary ds={ds} shownNodes={shownNodes} totalNodes={sortedNodes.length} act={act} />
          <NodePanel act={act} />
        </aside>
      </main>
      {toast && (
        <div class="toast" role="status">
          {toast}
        </div>
      )}
    </div>
  );
}

function Swatch({ state, marks }: { state?: CellState; marks?: 'notReady' | 'cordoned' | 'tainted' }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const c = ref.current!;
    const dpr = window.devicePixelRatio || 1;
    c.width = 16 * dpr;
    c.height = 16 * dpr;
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (state) drawSwatch(ctx, state, 0, 0, 16);
    else {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 16, 16);
      ctx.strokeStyle = '#c9d1d9';
      ctx.strokeRect(0.5, 0.5, 15, 15);
      drawMarks(ctx, { notReady: marks === 'notReady', cordoned: marks === 'cordoned', taints: marks === 'tainted' ? [{ key: '', effect: '' }] : [] }, 0, 0, 16);
    }
  }, [state, marks]);
  return <canvas ref={ref} class="swatch" width={16} height={16} style={{ width: '16px', height: '16px' }} aria-hidden="true" />;
}

function Legend({ counts }: { counts: Map<CellState, number> }) {
  return (
    <ul class="legend" aria-label="Legend">
      {STATE_ORDER.map((s) => (
        <li data-state={s} style={{ borderBottomColor: STATE_COLOR[s] }}>
          <Swatch state={s} /> {STATE_LABEL[s]} <b>{counts.get(s) ?? 0}</b>
        </li>
      ))}
      <li class="mark">
        <Swatch marks="notReady" /> NotReady
      </li>
      <li class="mark">
        <Swatch marks="cordoned" /> cordoned
      </li>
      <li class="mark">
        <Swatch marks="tainted" /> tainted
      </li>
    </ul>
  );
}

declare global {
  interface Window {
    /** for tests and the benchmark: where cells are, what the chart shows, when the grid first painted */
    kindlingView?: typeof probe;
  }
}

/** what the page shows, for tests and the benchmark (read-only) */
const probe = {
  grid: undefined as Grid | undefined,
  chart: undefined as RolloutChart | undefined,
  cells: new Map<string, Cell>(),
  box(node: string): { x: number; y: number; w: number; h: number; state: CellState; reason?: string; marks: Cell['marks'] } | undefined {
    const b = this.grid?.box(node);
    const c = this.cells.get(node);
    return b && c ? { ...b, state: c.state, reason: c.reason, marks: c.marks } : undefined;
  },
  chartData: (): number[][] => probe.chart?.data() ?? [],
  get firstPaintMs() {
    return view.firstPaint;
  },
};
window.kindlingView = probe;

function GridPane({ groups, selected }: { groups: Group[]; selected: string | undefined }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pane = useRef<HTMLDivElement>(null);
  const grid = useRef<Grid>(undefined);
  const [tip, setTip] = useState<{ x: number; y: number; cell: Cell } | undefined>();
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const ro = new ResizeObserver(() => setWidth(pane.current!.clientWidth));
    ro.observe(pane.current!);
    return () => ro.disconnect();
  }, []);
  useLayoutEffect(() => {
    grid.current ??= new Grid(canvas.current!);
    grid.current.selected = selected;
    grid.current.render(groups, width);
    probe.grid = grid.current;
    probe.cells = new Map(groups.flatMap((g) => g.cells.map((c) => [c.node, c] as const)));
    if (probe.cells.size && view.nodes.synced && view.pods.synced && view.firstPaint === undefined) view.firstPaint = performance.now();
  });
  const at = (e: MouseEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return grid.current?.hit(e.clientX - r.left, e.clientY - r.top);
  };
  return (
    <div class="grid" ref={pane}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={`${groups.reduce((n, g) => n + g.cells.length, 0)} nodes; click one for its details`}
        onClick={(e) => view.chooseNode(at(e)?.node)}
        onMouseMove={(e) => {
          const cell = at(e);
          const r = pane.current!.getBoundingClientRect();
          setTip(cell ? { x: e.clientX - r.left + pane.current!.scrollLeft + 14, y: e.clientY - r.top + pane.current!.scrollTop + 14, cell } : undefined);
        }}
        onMouseLeave={() => setTip(undefined)}
      />
      {!view.nodes.synced && <p class="empty">Loading nodes…</p>}
      {tip && (
        <div class="tip" style={{ left: `${tip.x}px`, top: `${tip.y}px` }} role="tooltip">
          <b>{tip.cell.node}</b>
          <div>{STATE_LABEL[tip.cell.state]}</div>
          {tip.cell.marks.notReady && <div>NotReady</div>}
          {tip.cell.marks.cordoned && <div>cordoned</div>}
          {tip.cell.marks.taints.map((t) => (
            <div>taint {formatTaint(t)}</div>
          ))}
          {tip.cell.reason && <div class="why">{tip.cell.reason}</div>}
        </div>
      )}
    </div>
  );
}

function DsSummary({ ds, shownNodes, totalNodes, act }: { ds: DaemonSetObject | undefined; shownNodes: number; totalNodes: number; act: (p: Promise<unknown>, ok: string) => void }) {
  const chartEl = useRef<HTMLDivElement>(null);
  const chart = useRef<RolloutChart>(undefined);
  useLayoutEffect(() => {
    chart.current = probe.chart = new RolloutChart(chartEl.current!, chartEl.current!.clientWidth || 340);
    return () => chart.current?.destroy();
  }, []);
  useLayoutEffect(() => {
    chart.current?.update((ds && view.history.get(ds.metadata.uid)) ?? [], view.seconds());
  });
  const st = ds?.status ?? {};
  const ru = ds?.spec?.updateStrategy?.rollingUpdate;
  const rows: [string, number | undefined][] = [
    ['desired', st.desiredNumberScheduled],
    ['current', st.currentNumberScheduled],
    ['ready', st.numberReady],
    ['up-to-date', st.updatedNumberScheduled],
    ['available', st.numberAvailable],
    ['unavailable', st.numberUnavailable],
    ['misscheduled', st.numberMisscheduled],
  ];
  return (
    <section class="ds" aria-label="DaemonSet">
      <div class="ds-head">
        <h2>{ds ? `${ds.metadata.namespace}/${ds.metadata.name}` : 'No DaemonSet'}</h2>
        {ds && (
          <button type="button" onClick={() => act(rolloutRestart(ds), `Restarted daemonset ${ds.metadata.name}`)} title="kubectl rollout restart: a new pod template annotation">
            Rollout restart
          </button>
        )}
      </div>
      {ds && (
        <p class="sub">
          {ds.spec?.updateStrategy?.type ?? 'RollingUpdate'}
          {ru ? ` · maxUnavailable ${ru.maxUnavailable ?? 1} · maxSurge ${ru.maxSurge ?? 0}` : ''} · generation {ds.metadata.generation} · {shownNodes === totalNodes ? `${totalNodes} nodes` : `${shownNodes} of ${totalNodes} nodes shown`}
        </p>
      )}
      <dl class="counters" aria-label="DaemonSet status">
        {rows.map(([k, v]) => (
          <div data-counter={k}>
            <dt>{k}</dt>
            <dd>{v ?? 0}</dd>
          </div>
        ))}
      </dl>
      <div class="chart" ref={chartEl} aria-label={`Rollout chart: ${SERIES.map((s) => s.label).join(', ')} over time`} />
      {view.verdicts.kind === 'unavailable' && <p class="note">Placement verdicts: {view.verdicts.message}</p>}
      {view.verdicts.kind === 'ok' && (
        <ul class="summary" aria-label="Placement summary">
          {view.verdicts.summary.map((s) => (
            <li class={s.note ? 'note-line' : s.willRun ? 'yes' : 'no'}>{s.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NodePanel({ act }: { act: (p: Promise<unknown>, ok: string) => void }) {
  const [taintText, setTaintText] = useState('');
  const name = view.chosenNode;
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' }), [name]);
  const node = name ? view.nodes.items.get(name) : undefined;
  if (!name) return <section class="node empty-panel">Click a node to see its labels, taints, capacity and why each DaemonSet does or does not run there.</section>;
  if (!node)
    return (
      <section class="node" aria-label="Node">
        <h2>{name}</h2>
        <p>This node is gone.</p>
      </section>
    );
  const marks = nodeMarks(node);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return (
    <section class="node" aria-label="Node" ref={ref}>
      <div class="ds-head">
        <h2>{name}</h2>
        <button type="button" class="close" aria-label="Close node details" onClick={() => view.chooseNode(undefined)}>
          ×
        </button>
      </div>
      <p class="sub">
        {marks.notReady ? `NotReady (${ready?.reason ?? 'no status'})` : 'Ready'}
        {marks.cordoned ? ' · cordoned (SchedulingDisabled)' : ''} · kubelet {node.status?.nodeInfo?.kubeletVersion ?? '?'}
      </p>
      <h3>DaemonSets here</h3>
      <DaemonSetsOnNode node={node} />
      <h3>Actions</h3>
      <div class="actions">
        <button type="button" onClick={() => act(setCordon(name, !marks.cordoned), `${marks.cordoned ? 'Uncordoned' : 'Cordoned'} ${name}`)}>
          {marks.cordoned ? 'Uncordon' : 'Cordon'}
        </button>
        <button type="button" onClick={() => act(setNodeRunning(name, false), `Stopped ${name}'s kubelet`)} title="kindling node stop: the kubelet goes silent; NotReady after the grace period">
          Stop node
        </button>
        <button type="button" onClick={() => act(setNodeRunning(name, true), `Started ${name}'s kubelet`)} title="kindling node start">
          Start node
        </button>
      </div>
      <form
        class="taint"
        onSubmit={(e) => {
          e.preventDefault();
          let t;
          try {
            t = parseTaint(taintText);
          } catch (err) {
            act(Promise.reject(err), '');
            return;
          }
          act(addTaint(node, t).then(() => setTaintText('')), `Tainted ${name} with ${formatTaint(t)}`);
        }}
      >
        <input aria-label="New taint" placeholder="key=value:NoSchedule" value={taintText} onInput={(e) => setTaintText((e.target as HTMLInputElement).value)} />
        <button type="submit">Add taint</button>
      </form>
      <h3>Taints</h3>
      {marks.taints.length ? (
        <ul class="chips">
          {marks.taints.map((t) => (
            <li>
              {formatTaint(t)}{' '}
              <button type="button" aria-label={`Remove taint ${formatTaint(t)}`} onClick={() => act(removeTaint(node, t), `Removed taint ${formatTaint(t)}`)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">none</p>
      )}
      <h3>Labels</h3>
      <ul class="chips">
        {Object.entries(node.metadata.labels ?? {}).map(([k, v]) => (
          <li>{v ? `${k}=${v}` : k}</li>
        ))}
      </ul>
      <h3>Capacity (allocatable)</h3>
      <table class="cap">
        <tbody>
          {Object.entries(node.status?.capacity ?? {}).map(([k, v]) => (
            <tr>
              <th>{k}</th>
              <td>
                {v} ({node.status?.allocatable?.[k] ?? '—'})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DaemonSetsOnNode({ node }: { node: NodeObject }) {
  const pods = [...view.nodePods.items.values()];
  const list = [...view.daemonsets.items.values()].sort((a, b) => compareNames(dsKey(a), dsKey(b)));
  return (
    <ul class="verdicts" aria-label="Placement verdicts">
      {list.map((ds) => {
        const mine = pods.filter((p) => ownedBy(p, ds));
        const hash = currentRevisionHash(ds, view.revisions.items.values());
        const v = view.nodeVerdicts.get(dsKey(ds));
        const verdict = typeof v === 'object' ? v : undefined;
        const state = cellState(mine, ds, hash, verdict);
        return (
          <li data-ds={dsKey(ds)}>
            <div class="v-head">
              <Swatch state={state} /> <b>{dsKey(ds)}</b>
              <span>{STATE_LABEL[state]}</span>
            </div>
            {mine.map((p) => (
              <div class="pod">
                pod {p.metadata.name} · {p.metadata.deletionTimestamp ? 'Terminating' : p.status?.phase} · {isPodUpdated(p, hash, ds) ? 'current revision' : 'old revision'}
              </div>
            ))}
            {v === undefined ? (
              <div class="muted">verdict loading…</div>
            ) : typeof v === 'string' ? (
              <div class="muted">verdict: {v}</div>
            ) : (
              <div class={`verdict ${v.willRun ? 'yes' : 'no'}`}>
                {v.willRun ? 'Should run here' : 'Should not run here'}
                {v.reasons.length > 0 && (
                  <ul>
                    {v.reasons.map((r) => (
                      <li class={r.blocking ? '' : 'note-line'}>
                        <code>{r.reason}</code> {r.message}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}

view.start();
render(<App />, document.getElementById('app')!);
