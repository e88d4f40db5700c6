// The node grid on one canvas: a cell per node, grouped, each filled by its daemon pod's state with
// a shape per state (not colour alone) and marks for NotReady, cordoned and tainted nodes. One
// canvas draws 5,000 cells in a few milliseconds; the DOM would need 5,000 elements.

import type { CellState, NodeMarks } from './model.js';
import { STATE_LABEL } from './model.js';

/** Okabe–Ito colours (distinguishable with the common colour-vision deficiencies) */
export const STATE_COLOR: Record<CellState, string> = {
  'new-ready': '#009E73',
  'new-unready': '#56B4E9',
  old: '#CC79A7',
  pending: '#E69F00',
  terminating: '#7A7A7A',
  crashloop: '#D55E00',
  'none-missing': '#D55E00',
  'none-expected': '#E4E4E4',
  'none-unknown': '#F4F4F4',
};

export interface Cell {
  node: string;
  state: CellState;
  marks: NodeMarks;
  /** why (explain verdict, or the pod's trouble), shown in big cells and the tooltip */
  reason?: string;
}

export interface Group {
  title: string;
  cells: Cell[];
}

interface Placed {
  cell: Cell;
  x: number;
  y: number;
}

type Mode = 'large' | 'medium' | 'small';

const HEADER = 24;
const LARGE_W = 232;
const PAD = 12;

export class Grid {
  private placed: Placed[] = [];
  private size = 10;
  private gap = 2;
  private mode: Mode = 'small';
  private height = 0;
  selected: string | undefined;

  constructor(private readonly canvas: HTMLCanvasElement) {}

  /** place and draw the groups in a canvas this many CSS pixels wide */
  render(groups: Group[], width: number): void {
    const total = groups.reduce((n, g) => n + g.cells.length, 0);
    this.layout(groups, width, total);
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.floor(width));
    const h = Math.max(1, Math.ceil(this.height));
    if (this.canvas.width !== w * dpr || this.canvas.height !== h * dpr) {
      this.canvas.width = w * dpr;
      this.canvas.height = h * dpr;
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
    }
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.textBaseline = 'middle';
    let y = PAD;
    for (const g of groups) {
      if (g.title) {
        ctx.fillStyle = '#1f2933';
        ctx.font = '600 13px system-ui, "DejaVu Sans", sans-serif';
        ctx.fillText(g.title, PAD, y + HEADER / 2 - 2);
        y += HEADER;
      }
      y = this.groupBottom(g, y, width);
    }
    for (const p of this.placed) this.drawCell(ctx, p);
  }

  /** the node under a point (CSS pixels in the canvas) */
  hit(x: number, y: number): Cell | undefined {
    const s = this.cellSize();
    for (const p of this.placed) if (x >= p.x && x < p.x + s.w && y >= p.y && y < p.y + s.h) return p.cell;
    return undefined;
  }

  /** where a node's cell is (CSS pixels in the canvas), for tooltips and tests */
  box(node: string): { x: number; y: number; w: number; h: number } | undefined {
    const p = this.placed.find((q) => q.cell.node === node);
    if (!p) return undefined;
    const s = this.cellSize();
    return { x: p.x, y: p.y, w: s.w, h: s.h };
  }

  private cellSize(): { w: number; h: number } {
    if (this.mode === 'large') return { w: LARGE_W, h: 76 };
    return { w: this.size, h: this.size };
  }

  private layout(groups: Group[], width: number, total: number): void {
    const usable = Math.max(100, width - 2 * PAD);
    if (total <= 30) this.mode = 'large';
    else if (total <= 400) this.mode = 'medium';
    else this.mode = 'small';
    if (this.mode === 'large') this.gap = 10;
    else if (this.mode === 'medium') {
      this.size = 30;
      this.gap = 4;
    } else {
      // as large as lets every cell fit about one screen, between 6 and 14 pixels
      const area = (usable * 620) / total;
      this.size = Math.max(6, Math.min(14, Math.floor(Math.sqrt(area)) - 2));
      this.gap = this.size >= 10 ? 2 : 1;
    }
    this.placed = [];
    let y = PAD;
    for (const g of groups) {
      if (g.title) y += HEADER;
      y = this.groupBottom(g, y, width, true);
    }
    this.height = y + PAD;
  }

  /** place a group's cells from y; returns the y below it */
  private groupBottom(g: Group, y: number, width: number, place = false): number {
    const s = this.cellSize();
    const perRow = Math.max(1, Math.floor((width - 2 * PAD + this.gap) / (s.w + this.gap)));
    g.cells.forEach((cell, i) => {
      if (!place) return;
      const col = i % perRow;
      const row = Math.floor(i / perRow);
      this.placed.push({ cell, x: PAD + col * (s.w + this.gap), y: y + row * (s.h + this.gap) });
    });
    const rows = Math.ceil(g.cells.length / perRow);
    return y + rows * (s.h + this.gap) + (g.title ? 10 : 0);
  }

  private drawCell(ctx: CanvasRenderingContext2D, p: Placed): void {
    const { cell } = p;
    if (this.mode === 'large') {
      const w = LARGE_W;
      const h = 76;
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(p.x, p.y, w, h);
      ctx.strokeStyle = cell.node === this.selected ? '#0b57d0' : '#c9d1d9';
      ctx.lineWidth = cell.node === this.selected ? 3 : 1;
      ctx.strokeRect(p.x + 0.5, p.y + 0.5, w - 1, h - 1);
      drawSwatch(ctx, cell.state, p.x + 8, p.y + 8, 34);
      drawMarks(ctx, cell.marks, p.x + 8, p.y + 8, 34);
      ctx.fillStyle = '#111';
      ctx.font = '600 12px system-ui, "DejaVu Sans", sans-serif';
      ctx.fillText(clip(ctx, cell.node, w - 58), p.x + 50, p.y + 15);
      ctx.font = '12px system-ui, "DejaVu Sans", sans-serif';
      ctx.fillStyle = '#333';
      ctx.fillText(clip(ctx, STATE_LABEL[cell.state], w - 58), p.x + 50, p.y + 32);
      const tags = [cell.marks.notReady ? 'NotReady' : '', cell.marks.cordoned ? 'cordoned' : '', cell.marks.taints.length ? `${cell.marks.taints.length} taint${cell.marks.taints.length > 1 ? 's' : ''}` : ''].filter(Boolean).join(' · ');
      ctx.fillStyle = '#8a1c00';
      ctx.font = '600 11px system-ui, "DejaVu Sans", sans-serif';
      if (tags) ctx.fillText(clip(ctx, tags, w - 58), p.x + 50, p.y + 48);
      if (cell.reason) {
        ctx.fillStyle = '#555';
        ctx.font = '11px system-ui, "DejaVu Sans", sans-serif';
        ctx.fillText(clip(ctx, cell.reason, w - 16), p.x + 8, p.y + 64);
      }
      return;
    }
    drawSwatch(ctx, cell.state, p.x, p.y, this.size);
    drawMarks(ctx, cell.marks, p.x, p.y, this.size);
    if (cell.node === this.selected) {
      ctx.strokeStyle = '#0b57d0';
      ctx.lineWidth = 2;
      ctx.strokeRect(p.x - 1.5, p.y - 1.5, this.size + 3, this.size + 3);
    }
  }
}

function clip(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > max) t = t.slice(0, -1);
  return `${t}…`;
}

/** a state's square: its colour and its shape, legible from 6 to 40 pixels */
export function drawSwatch(ctx: CanvasRenderingContext2D, state: CellState, x: number, y: number, s: number): void {
  const c = STATE_COLOR[state];
  const line = Math.max(1, s / 9);
  ctx.lineWidth = line;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  switch (state) {
    case 'new-ready':
      // solid, with a check mark
      ctx.fillStyle = c;
      ctx.fillRect(x, y, s, s);
      if (s >= 10) {
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = Math.max(1.5, s / 7);
        ctx.beginPath();
        ctx.moveTo(x + s * 0.22, y + s * 0.52);
        ctx.lineTo(x + s * 0.42, y + s * 0.72);
        ctx.lineTo(x + s * 0.78, y + s * 0.3);
        ctx.stroke();
      }
      break;
    case 'new-unready':
      // half full: the new pod is there, not ready yet
      ctx.fillStyle = '#d8eefa';
      ctx.fillRect(x, y, s, s);
      ctx.fillStyle = c;
      ctx.fillRect(x, y + s / 2, s, s / 2);
      ctx.strokeStyle = c;
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
      break;
    case 'old':
      // hatched: still the old revision
      ctx.fillStyle = c;
      ctx.fillRect(x, y, s, s);
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, y, s, s);
      ctx.clip();
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.lineWidth = Math.max(1, s / 8);
      const step = Math.max(3, s / 3);
      for (let d = -s; d < s; d += step) {
        ctx.beginPath();
        ctx.moveTo(x + d, y + s);
        ctx.lineTo(x + d + s, y);
        ctx.stroke();
      }
      ctx.restore();
      break;
    case 'pending':
      // hollow with a dot: waiting to start
      ctx.fillStyle = '#fff4dc';
      ctx.fillRect(x, y, s, s);
      ctx.strokeStyle = c;
      ctx.lineWidth = Math.max(1, s / 8);
      ctx.strokeRect(x + ctx.lineWidth / 2, y + ctx.lineWidth / 2, s - ctx.lineWidth, s - ctx.lineWidth);
      ctx.fillStyle = c;
      ctx.beginPath();
      ctx.arc(x + s / 2, y + s / 2, Math.max(1, s / 6), 0, Math.PI * 2);
      ctx.fill();
      break;
    case 'terminating':
      // a cross: going away
      ctx.fillStyle = c;
      ctx.fillRect(x, y, s, s);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = Math.max(1, s / 8);
      ctx.beginPath();
      ctx.moveTo(x + s * 0.25, y + s * 0.25);
      ctx.lineTo(x + s * 0.75, y + s * 0.75);
      ctx.moveTo(x + s * 0.75, y + s * 0.25);
      ctx.lineTo(x + s * 0.25, y + s * 0.75);
      ctx.stroke();
      break;
    case 'crashloop':
      // an exclamation mark
      ctx.fillStyle = c;
      ctx.fillRect(x, y, s, s);
      ctx.fillStyle = '#fff';
      ctx.fillRect(x + s * 0.42, y + s * 0.16, s * 0.16, s * 0.44);
      ctx.fillRect(x + s * 0.42, y + s * 0.68, s * 0.16, s * 0.16);
      break;
    case 'none-missing':
      // an empty ring on white: a pod should be here and is not
      ctx.fillStyle = '#fff';
      ctx.fillRect(x, y, s, s);
      ctx.strokeStyle = c;
      ctx.lineWidth = Math.max(1, s / 7);
      ctx.strokeRect(x + ctx.lineWidth / 2, y + ctx.lineWidth / 2, s - ctx.lineWidth, s - ctx.lineWidth);
      ctx.beginPath();
      ctx.arc(x + s / 2, y + s / 2, s * 0.22, 0, Math.PI * 2);
      ctx.stroke();
      break;
    case 'none-expected':
      ctx.fillStyle = c;
      ctx.fillRect(x, y, s, s);
      if (s >= 10) {
        // a dash: nothing, rightly
        ctx.strokeStyle = '#9a9a9a';
        ctx.lineWidth = Math.max(1, s / 10);
        ctx.beginPath();
        ctx.moveTo(x + s * 0.3, y + s / 2);
        ctx.lineTo(x + s * 0.7, y + s / 2);
        ctx.stroke();
      }
      break;
    case 'none-unknown':
      ctx.fillStyle = c;
      ctx.fillRect(x, y, s, s);
      ctx.strokeStyle = '#b0b0b0';
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 2]);
      ctx.strokeRect(x + 0.5, y + 0.5, s - 1, s - 1);
      ctx.setLineDash([]);
      break;
  }
}

/** a node's marks in the corners of its square: NotReady (bottom-left, dark), cordoned (top bar), tainted (top-right) */
export function drawMarks(ctx: CanvasRenderingContext2D, m: NodeMarks, x: number, y: number, s: number): void {
  const k = Math.max(3, Math.round(s * 0.38));
  ctx.fillStyle = '#111';
  if (m.taints.length) {
    ctx.beginPath();
    ctx.moveTo(x + s - k, y);
    ctx.lineTo(x + s, y);
    ctx.lineTo(x + s, y + k);
    ctx.closePath();
    ctx.fill();
  }
  if (m.notReady) {
    ctx.beginPath();
    ctx.moveTo(x, y + s - k);
    ctx.lineTo(x, y + s);
    ctx.lineTo(x + k, y + s);
    ctx.closePath();
    ctx.fill();
  }
  if (m.cordoned) {
    const bar = Math.max(1, Math.round(s / 7));
    ctx.fillRect(x, y, s - (m.taints.length ? k : 0), bar);
  }
}
