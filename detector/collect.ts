import type { AnyNode, Node } from 'acorn'
import * as walk from 'acorn-walk'
import { createFolder, calleeName, propertyName, type FoldValue } from './deobfuscate/fold.ts'
import type { Layer, ScriptFacts, Site } from './facts.ts'
import { pathOf, snippetOf } from './paths.ts'
import { createTaint } from './taint.ts'
import { decodedLayers } from './deobfuscate/layers.ts'

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
}

export interface Budget {
  bytesLeft: number
}

/** Walk one layer once, appending what rules need to `facts`; recurse into decoded layers. */
export function collectLayer(input: LayerInput, facts: ScriptFacts, budget: Budget): void {
  const { ast, source, depth, outer } = input
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
  // Snippets are cut lazily: most sites never end up in a finding.
  const siteOf = (node: Node): Site => ({
    line: outer ? outer.line : (node.loc?.start.line ?? 1),
    column: outer ? outer.column : (node.loc?.start.column ?? 0),
    layer: depth,
    get snippet() {
      return snippetOf(source, node)
    },
  })
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

  const firstString = facts.strings.length
  const firstCall = facts.calls.length
  const plusNodes: Node[] = []
  const innerPlus = new Set<Node>()
  const foldable: Node[] = []
  let sawDebugger = false

  walk.full(ast, (node) => {
    const n = node as AnyNode
    switch (n.type) {
      case 'Literal':
        if (typeof n.value === 'string')
          facts.strings.push({ value: n.value, site: siteOf(n), decoded: [] })
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
        if (n.id.type === 'Identifier' && n.init) define(n.id.name, n.init)
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
