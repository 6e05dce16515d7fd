import type { AnyNode, Node } from 'acorn'
import * as walk from 'acorn-walk'
import {
  createFolder,
  calleeName,
  propertyName,
  type DecodeKind,
  type FoldValue,
} from './deobfuscate/fold.ts'
import type { Layer, ScriptFacts, Site } from './facts.ts'
import { pathOf, snippetOf } from './paths.ts'
import { createTaint } from './taint.ts'
import { decodedLayers } from './deobfuscate/layers.ts'
import { walkFull } from './walk.ts'
import { splice, type Position } from './deobfuscate/splice.ts'
import { stringArrayEdits } from './deobfuscate/string-array.ts'
import { parseStrict } from './parse.ts'

const MEMBERS_OF_INTEREST = new Set([
  'webdriver',
  'cookie',
  'localStorage',
  'sessionStorage',
  'forms',
  'elements',
  'href',
  'pathname',
  'search',
  'hash',
  'URL',
  '_phantom',
  'callPhantom',
  '__nightmare',
  'domAutomation',
  'outerWidth',
  'outerHeight',
  'location',
])
const STRING_CALLS = new Set([
  'atob',
  'unescape',
  'decodeURIComponent',
  'decodeURI',
  'fromCharCode',
  'apply',
  'join',
  'reverse',
  'replace',
  'replaceAll',
  'concat',
  'toString',
  'toLowerCase',
  'slice',
  'substring',
  'substr',
])
const ITERATORS = new Set(['forEach', 'map', 'filter', 'some', 'every', 'reduce', 'each'])
const COLLECTORS = new Set(['push', 'append', 'set', 'unshift', 'concat'])
const LOOPS = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
])

export interface LayerInput {
  ast: Node
  source: string
  depth: number
  /** where the decoding expression sits in the outer file, for layers > 0 */
  outer: Site | undefined
  /** original position of an offset, when `source` is a rewrite of the file */
  position?: (offset: number) => Position
}

export interface Budget {
  bytesLeft: number
}

/** Walk one layer once, appending what rules need to `facts`; recurse into decoded layers. */
export function collectLayer(input: LayerInput, facts: ScriptFacts, budget: Budget): void {
  const { ast, source, depth, outer, position } = input
  const bindings = new Map<string, Node[]>()
  const constInit = new Map<string, Node>()
  const mutated = new Set<string>()
  const resolving = new Set<string>()
  const env = {
    get(name: string): FoldValue | undefined {
      const init = constInit.get(name)
      if (!init || mutated.has(name) || resolving.has(name)) return undefined
      resolving.add(name)
      try {
        return folder.fold(init)
      } finally {
        resolving.delete(name)
      }
    },
  }
  const folder = createFolder(env)
  const layer: Layer = {
    depth,
    folder,
    taint: createTaint(folder, bindings),
    leadingString: (node) => leadingString(node),
  }
  const siteOf = (node: Node): Site => {
    const at = outer ?? position?.(node.start) ?? node.loc?.start
    return new LazySite(at?.line ?? 1, at?.column ?? 0, depth, source, node)
  }
  const bind = (name: string, value: Node): void => {
    const list = bindings.get(name)
    if (list) list.push(value)
    else bindings.set(name, [value])
  }
  const define = (name: string, value: Node): void => {
    if (constInit.has(name)) mutated.add(name)
    else constInit.set(name, value)
    bind(name, value)
  }

  const mark = factCounts(facts)
  const firstString = facts.strings.length
  const firstCall = facts.calls.length
  let stringArraySeen = false
  let decoderSeen = false
  const plusNodes: Node[] = []
  const innerPlus = new Set<Node>()
  const foldable: Node[] = []
  let sawDebugger = false

  walkFull(ast, (n) => {
    switch (n.type) {
      case 'Literal':
        if (typeof n.value === 'string')
          facts.strings.push({ value: n.value, site: siteOf(n), decoded: PLAIN })
        else if (n.regex) facts.regexes.push({ pattern: n.regex.pattern, site: siteOf(n) })
        break
      case 'TemplateLiteral':
        foldable.push(n)
        break
      case 'BinaryExpression':
        if (n.operator === '+') {
          plusNodes.push(n)
          innerPlus.add(n.left)
          innerPlus.add(n.right)
        } else if (isSizeCheck(n)) facts.sizeChecks.push(siteOf(n))
        break
      case 'VariableDeclarator':
        if (n.id.type === 'Identifier' && n.init) {
          define(n.id.name, n.init)
          if (!stringArraySeen && looksLikeStringArray(n.init)) stringArraySeen = true
        }
        break
      case 'FunctionDeclaration':
      case 'FunctionExpression':
        if (!decoderSeen && looksLikeDecoder(n)) decoderSeen = true
        break
      case 'AssignmentExpression': {
        const left = n.left as AnyNode
        if (left.type === 'Identifier') {
          if (n.operator === '=') define(left.name, n.right)
          else {
            mutated.add(left.name)
            bind(left.name, n.right)
          }
        } else if (left.type === 'MemberExpression') {
          const root = rootName(left)
          if (root) {
            mutated.add(root)
            bind(root, n.right)
          }
        }
        const target =
          left.type === 'Identifier'
            ? left.name
            : left.type === 'MemberExpression'
              ? propertyName(left)
              : undefined
        if (target)
          facts.assigns.push({
            node: n,
            target,
            object:
              left.type === 'MemberExpression' && left.object.type !== 'Super'
                ? pathOf(left.object)
                : '',
            operator: n.operator,
            value: n.right,
            site: siteOf(n),
            layer,
          })
        break
      }
      case 'ForOfStatement':
      case 'ForInStatement': {
        const l = n.left as AnyNode
        const id = l.type === 'VariableDeclaration' ? l.declarations[0]?.id : l
        if (id?.type === 'Identifier') bind(id.name, n.right)
        break
      }
      case 'CallExpression':
      case 'NewExpression': {
        if (n.callee.type === 'Super') break
        const callee = n.callee as AnyNode
        const name = calleeName(callee) ?? (callee.type === 'MemberExpression' ? '?' : '')
        const object =
          callee.type === 'MemberExpression' && callee.object.type !== 'Super'
            ? pathOf(callee.object)
            : ''
        const args = n.arguments as Node[]
        facts.calls.push({
          node: n,
          name,
          object,
          isNew: n.type === 'NewExpression',
          args,
          site: siteOf(n),
          layer,
        })
        if (callee.type === 'MemberExpression' && callee.object.type !== 'Super') {
          const root = rootName(callee.object)
          if (root && COLLECTORS.has(name)) {
            mutated.add(root)
            for (const a of args) bind(root, a)
          }
          const fn = args[0] as AnyNode | undefined
          if (
            ITERATORS.has(name) &&
            fn &&
            (fn.type === 'FunctionExpression' || fn.type === 'ArrowFunctionExpression')
          )
            for (const p of fn.params.slice(0, 2))
              if (p.type === 'Identifier') bind(p.name, callee.object)
        }
        if (n.type === 'CallExpression' && STRING_CALLS.has(name)) foldable.push(n)
        break
      }
      case 'MemberExpression': {
        const name = propertyName(n)
        if (name && MEMBERS_OF_INTEREST.has(name) && n.object.type !== 'Super')
          facts.members.push({ name, object: pathOf(n.object), site: siteOf(n), node: n, layer })
        break
      }
      case 'DebuggerStatement':
        sawDebugger = true
        break
      default:
        break
    }
  })

  if (stringArraySeen && decoderSeen && !position) {
    const rewritten = inlineStringArrays(ast, source)
    if (rewritten) {
      truncate(facts, mark)
      facts.layers.push(rewritten.source)
      collectLayer({ ...input, ...rewritten }, facts, budget)
      return
    }
  }

  function leadingString(node: Node): string | undefined {
    let cur = node as AnyNode
    for (let i = 0; i < 10_000; i++) {
      const whole = folder.foldString(cur)
      if (whole !== undefined) return whole
      if (cur.type === 'BinaryExpression' && cur.operator === '+') cur = cur.left as AnyNode
      else if (cur.type === 'TemplateLiteral') return cur.quasis[0]?.value.cooked ?? undefined
      else return undefined
    }
    return undefined
  }

  for (const p of plusNodes) if (!innerPlus.has(p)) foldable.push(p)
  for (const node of foldable) {
    const value = folder.foldString(node)
    if (value === undefined || value.length === 0) continue
    facts.strings.push({ value, site: siteOf(node), decoded: folder.decodedBy(node) })
  }
  if (sawDebugger) collectDebuggerTraps(ast, facts, siteOf)
  const own = { strings: facts.strings.slice(firstString), calls: facts.calls.slice(firstCall) }
  const subs = decodedLayers(own.strings, own.calls, layer, budget, (s) => facts.strings.push(s))
  for (const sub of subs) collectLayer(sub, facts, budget)
  for (const sub of subs) facts.layers.push(sub.source)
}

/** Shared by every plain literal; nothing appends to a fact's decode kinds. */
const PLAIN: DecodeKind[] = []

/** A site whose snippet is cut only when a finding shows it: most sites never do. */
class LazySite implements Site {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly layer: number,
    private readonly source: string,
    private readonly node: Node,
  ) {}

  get snippet(): string {
    return snippetOf(this.source, this.node)
  }
}

function rootName(node: Node): string | undefined {
  let cur = node as AnyNode
  while (cur.type === 'MemberExpression' && cur.object.type !== 'Super') cur = cur.object as AnyNode
  return cur.type === 'Identifier' ? cur.name : undefined
}

function isSizeCheck(n: AnyNode & { type: 'BinaryExpression' }): boolean {
  if (n.left.type !== 'MemberExpression' || n.right.type !== 'MemberExpression') return false
  const a = propertyName(n.left)
  const b = propertyName(n.right)
  return (a === 'outerWidth' && b === 'innerWidth') || (a === 'outerHeight' && b === 'innerHeight')
}

function collectDebuggerTraps(ast: Node, facts: ScriptFacts, siteOf: (n: Node) => Site): void {
  walk.ancestor(ast, {
    DebuggerStatement(node, _state, ancestors) {
      const trapped = ancestors.some((a, i) => {
        if (LOOPS.has(a.type)) return true
        const parent = ancestors[i - 1] as AnyNode | undefined
        if (
          !/Function/.test(a.type) ||
          parent?.type !== 'CallExpression' ||
          parent.callee.type === 'Super'
        )
          return false
        return /^set(Interval|Timeout)$/.test(calleeName(parent.callee) ?? '')
      })
      if (trapped) facts.debuggerTraps.push(siteOf(node))
    },
  })
}

type Counts = ReturnType<typeof factCounts>

function factCounts(f: ScriptFacts) {
  return {
    strings: f.strings.length,
    regexes: f.regexes.length,
    calls: f.calls.length,
    assigns: f.assigns.length,
    members: f.members.length,
    sizeChecks: f.sizeChecks.length,
  }
}

function truncate(f: ScriptFacts, c: Counts): void {
  f.strings.length = c.strings
  f.regexes.length = c.regexes
  f.calls.length = c.calls
  f.assigns.length = c.assigns
  f.members.length = c.members
  f.sizeChecks.length = c.sizeChecks
}

/** The file with javascript-obfuscator's string-array calls replaced by their strings. */
function inlineStringArrays(
  ast: Node,
  source: string,
): { ast: Node; source: string; position: (offset: number) => Position } | undefined {
  const edits = stringArrayEdits(ast, source)
  if (!edits) return undefined
  const spliced = splice(source, edits)
  const rewritten = parseStrict(spliced.text)
  return rewritten
    ? { ast: rewritten, source: spliced.text, position: spliced.position }
    : undefined
}

function looksLikeStringArray(init: Node): boolean {
  const n = init as AnyNode
  if (n.type !== 'ArrayExpression' || n.elements.length < 2) return false
  const first = n.elements[0]
  return first?.type === 'Literal' && typeof first.value === 'string'
}

/** `i = i - 0x1a5` first, then `var a = arrayFn()`: the head of a string-array decoder. */
function looksLikeDecoder(
  fn: AnyNode & { type: 'FunctionDeclaration' | 'FunctionExpression' },
): boolean {
  const p = fn.params[0]
  const [first, second] = fn.body.body as AnyNode[]
  if (p?.type !== 'Identifier' || first?.type !== 'ExpressionStatement') return false
  const e = first.expression as AnyNode
  if (e.type !== 'AssignmentExpression' || e.left.type !== 'Identifier' || e.left.name !== p.name)
    return false
  const k = (
    e.operator === '=' && e.right.type === 'BinaryExpression' ? e.right.right : e.right
  ) as AnyNode
  const literal =
    k.type === 'Literal' || (k.type === 'UnaryExpression' && k.argument.type === 'Literal')
  if (!literal || (e.operator !== '-=' && e.operator !== '=')) return false
  const init =
    second?.type === 'VariableDeclaration' ? (second.declarations[0]?.init as AnyNode | null) : null
  return (
    (init?.type === 'CallExpression' && init.arguments.length === 0) ||
    (init?.type === 'MemberExpression' && init.computed)
  )
}
