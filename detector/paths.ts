import type { AnyNode, Node } from 'acorn'
import { propertyName } from './deobfuscate/fold.ts'

const GLOBALS = /^(window|self|globalThis|top|parent)\./

/** Dotted path of an expression (`document.forms`, `new Image`), globals stripped. */
export function pathOf(
  node: Node,
  depth = 0,
  /** the name of a member: by default only a literal one (`a.b`, `a['b']`) */
  nameOf: (m: AnyNode & { type: 'MemberExpression' }) => string | undefined = propertyName,
): string {
  const n = node as AnyNode
  if (depth > 6) return '?'
  switch (n.type) {
    case 'Identifier':
      return n.name
    case 'ThisExpression':
      return 'this'
    case 'MemberExpression': {
      if (n.object.type === 'Super') return 'super'
      const base = pathOf(n.object, depth + 1, nameOf)
      const joined = `${base}.${nameOf(n) ?? '?'}`
      return joined.replace(GLOBALS, '')
    }
    case 'NewExpression':
      return `new ${n.callee.type === 'Identifier' ? n.callee.name : pathOf(n.callee, depth + 1, nameOf)}`
    case 'CallExpression':
      return n.callee.type === 'Super' ? '?' : `${pathOf(n.callee, depth + 1, nameOf)}()`
    case 'ParenthesizedExpression':
      return pathOf(n.expression, depth + 1, nameOf)
    default:
      return '?'
  }
}

/** A dotted path without its leading `window.`/`self.`/… */
export function stripGlobals(path: string): string {
  return path.replace(GLOBALS, '')
}

/** Host of an absolute or protocol-relative URL, lowercased, without port. */
export function hostOf(url: string): string | undefined {
  const m = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\/(?:[^@/?#\s]*@)?(\[[^\]]+\]|[^/:?#\s\\]+)/i.exec(url)
  const h = m?.[1]?.toLowerCase().replace(/\.$/, '')
  return h && /^[a-z0-9.[\]:-]+$/.test(h) ? h : undefined
}

/** Names of the global object: `window.fetch`, `self.fetch` and `globalThis.fetch` are `fetch`. */
export const GLOBAL_OBJECTS: ReadonlySet<string> = new Set(['window', 'self', 'globalThis'])

const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go'])

/** Registrable domain, approximated: last two labels, three under co.uk-style suffixes. */
export function registrable(host: string): string {
  const labels = host.split('.')
  if (labels.length <= 2) return host
  const sld = labels[labels.length - 2] ?? ''
  const tld = labels[labels.length - 1] ?? ''
  const n = SECOND_LEVEL.has(sld) && tld.length === 2 ? 3 : 2
  return labels.slice(-n).join('.')
}

export function isIpHost(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[')
}

export function snippetOf(source: string, node: Node, max = 120): string {
  const text = source.slice(node.start, Math.min(node.end, node.start + max))
  return text.replace(/\s+/g, ' ').trim()
}
