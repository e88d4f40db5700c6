// Nesting limits for request bodies. Go's JSON scanner refuses a document nested deeper than
// 10,000 arrays/objects ("exceeded max depth") before decoding it; kindling checks the same
// limit up front so nothing later (pruning, defaulting, copying: all recursive) can overflow
// the stack on a hostile body.

/** encoding/json's maxNestingDepth */
export const MAX_JSON_DEPTH = 10_000;

const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const LBRACK = 91;
const RBRACE = 125;
const RBRACK = 93;

/**
 * the opening character ('[' or '{') that takes the JSON text past `max` levels, else
 * undefined. Strings are skipped; syntax errors are left to the parser.
 */
export function exceedsJsonDepth(text: string, max: number): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === LBRACE || c === LBRACK) {
      if (++depth > max) return String.fromCharCode(c);
    } else if (c === RBRACE || c === RBRACK) {
      depth--;
    }
  }
  return undefined;
}

/** is a decoded value (YAML, protobuf) nested deeper than `max`? Iterative: no recursion to overflow */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}
