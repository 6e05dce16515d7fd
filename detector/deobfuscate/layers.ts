import type { AnyNode, Node } from 'acorn'
import type { Budget } from '../collect.ts'
import type { CallFact, Layer, Site, StringFact } from '../facts.ts'
import { javascriptUrlCode, splitHtml } from '../html.ts'
import { parseStrict } from '../parse.ts'
import { decodeBase64, mightBeCode, packerShaped, unpackPacker } from './decode.ts'
import type { DecodeKind } from './fold.ts'

/**
 * How many decoded layers deep the detector reads. Kits nest a packer in a packer in base64
 * four and five times over; the byte budget, not this, is what bounds the work.
 */
export const MAX_DEPTH = 8

export interface DecodedLayer {
  ast: Node
  source: string
  depth: number
  outer: Site
  /** the p,a,c,k,e,d call this layer was statically unpacked from, if any */
  packer?: Node
}

const CODE_SINKS = new Set(['eval', 'Function', 'setTimeout', 'setInterval', 'execScript'])

/** Decoded strings (and string arguments of eval-like calls) that parse as code. */
export function decodedLayers(
  strings: StringFact[],
  calls: CallFact[],
  layer: Layer,
  budget: Budget,
  onDecoded: (s: StringFact) => void,
): DecodedLayer[] {
  if (layer.depth >= MAX_DEPTH) return []
  const candidates: { text: string; site: Site; packer?: Node }[] = []
  for (const s of strings) {
    if (s.decoded.length > 0) candidates.push({ text: s.value, site: s.site })
    // markup the script builds runs as the browser reads it: inline scripts and handlers
    for (const text of markupCode(s.value)) candidates.push({ text, site: s.site })
    for (const text of jsonCarriedCode(s.value)) candidates.push({ text, site: s.site })
    const module = dataUrlCode(s.value)
    if (module !== undefined) candidates.push({ text: module, site: s.site })
    // a frame, a link or the page sent to a `javascript:` address runs its code, as eval would
    const navigated = javascriptUrlCode(s.value)
    if (navigated !== undefined) candidates.push({ text: navigated, site: s.site })
  }
  for (const c of calls) {
    const arg = codeArgument(c)
    const text = arg ? layer.folder.foldString(arg) : undefined
    if (text !== undefined) candidates.push({ text, site: c.site })
    const packed = unpackCall(c, layer)
    if (packed !== undefined) {
      const fact = { value: packed, site: c.site, decoded: ['packer'] as DecodeKind[] }
      onDecoded(fact)
      candidates.push({ text: packed, site: c.site, packer: c.node })
    }
  }
  const seen = new Set<string>()
  const out: DecodedLayer[] = []
  for (const { text, site, packer } of candidates) {
    if (seen.has(text) || !mightBeCode(text) || text.length > budget.bytesLeft) continue
    seen.add(text)
    let ast: Node | null = null
    try {
      ast = parseStrict(text)
    } catch {
      ast = null
    }
    // A packer payload is code by construction (the wrapper exists to eval it).
    if (!ast || (!packer && !hasBehaviour(ast))) continue
    budget.bytesLeft -= text.length
    out.push({ ast, source: text, depth: layer.depth + 1, outer: site, ...(packer && { packer }) })
  }
  return out
}

const MARKUP_CODE = /<script\b|<[a-z][^>]*\son[a-z]+\s*=/i
const MARKUP_PARTS = 20

/** Code in a string of markup: its `<script>` blocks and event-handler attributes. */
function markupCode(value: string): string[] {
  if (!value.includes('<') || !MARKUP_CODE.test(value)) return []
  try {
    return splitHtml(value)
      .parts.filter((p) => p.kind !== 'url')
      .slice(0, MARKUP_PARTS)
      .map((p) => p.source)
  } catch {
    return []
  }
}

function codeArgument(c: CallFact): Node | undefined {
  // `this['eval'](…)` at the top of a script is the global eval
  if (!CODE_SINKS.has(c.name) || !/^(window|this)?$/.test(c.object)) return undefined
  return c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
}

function unpackCall(c: CallFact, layer: Layer): string | undefined {
  if (c.isNew || !packerShaped(c.node as AnyNode)) return undefined
  const [p, a, , k] = c.args.map((x) => layer.folder.fold(x))
  if (typeof p !== 'string' || typeof a !== 'number' || !Array.isArray(k)) return undefined
  return unpackPacker(
    p,
    a,
    k.map((x) => String(x)),
  )
}

/** A decoded string counts as code when it calls, constructs or assigns something. */
function hasBehaviour(ast: Node): boolean {
  const stack: AnyNode[] = [ast as AnyNode]
  let visits = 0
  while (stack.length > 0 && visits++ < 2000) {
    const n = stack.pop() as AnyNode
    if (
      n.type === 'CallExpression' ||
      n.type === 'NewExpression' ||
      n.type === 'AssignmentExpression'
    )
      return true
    if (n.type === 'Program') stack.push(...(n.body as AnyNode[]))
    else if (n.type === 'ExpressionStatement') stack.push(n.expression as AnyNode)
    // an async function's body awaits what it calls: `await fetch(…)`
    else if (n.type === 'AwaitExpression') stack.push(n.argument as AnyNode)
    else if (n.type === 'VariableDeclaration') {
      for (const d of n.declarations) if (d.init) stack.push(d.init as AnyNode)
    } else if (
      n.type === 'FunctionDeclaration' ||
      n.type === 'IfStatement' ||
      n.type === 'BlockStatement'
    )
      return true
  }
  return false
}

/** `data:text/javascript;base64,…`: a script or module carried in an address. */
const DATA_SCRIPT =
  /^data:(?:(?:text|application)\/(?:x-)?(?:java|ecma)script)?(?:;[\w.=-]+)*?(;base64)?,/i

/**
 * The code a `data:` address of JavaScript holds (or of no type at all, as a classic script's
 * `src` runs any): whatever loads it (a module import, an import map, a script's src, a worker)
 * runs it, so it is read as a layer of the file. Text that is no code is dropped as any is.
 */
function dataUrlCode(value: string): string | undefined {
  const m = DATA_SCRIPT.exec(value)
  if (!m) return undefined
  const body = value.slice(m[0].length)
  if (m[1]) return decodeBase64(body)
  return percentDecoded(body)
}

/** As the browser reads an address: a `%` not followed by two hex digits stays as it is. */
function percentDecoded(body: string): string {
  return body.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run.replace(/%([0-9a-f]{2})/gi, (_m, h: string) =>
        String.fromCharCode(parseInt(h, 16)),
      )
    }
  })
}

const JSON_TEXT = /^\s*[[{]/
const BASE64_TEXT = /^[A-Za-z0-9+/_-]{40,}={0,2}$/
const JSON_VALUES = 10_000

/**
 * Code a configuration carries: a JSON text whose values are code, or code in base64 (a
 * widget "hook" run later with `new Function(atob(cfg.hooks.x))`). Parsing JSON reads data
 * only; nothing in it runs.
 */
function jsonCarriedCode(value: string): string[] {
  if (value.length < 100 || !JSON_TEXT.test(value)) return []
  let data: unknown
  try {
    data = JSON.parse(value)
  } catch {
    return []
  }
  const out: string[] = []
  const stack: unknown[] = [data]
  for (let seen = 0; stack.length > 0 && seen < JSON_VALUES; seen++) {
    const v = stack.pop()
    if (typeof v === 'string') {
      if (mightBeCode(v)) out.push(v)
      else if (BASE64_TEXT.test(v)) out.push(decodeBase64(v) ?? '')
    } else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) stack.push(x)
  }
  return out
}
