import type { AnyNode } from 'acorn'
import { splice, type Edit } from '../../../detector/deobfuscate/splice.ts'
import { parseStrict } from '../../../detector/parse.ts'
import { walkFull } from '../../../detector/walk.ts'

// A consistent identifier renamer for property tests: an AST pass plus text edits.

/** Names the page provides: renaming a use of one would change what the code does. */
const GLOBALS = new Set([
  'window',
  'self',
  'top',
  'parent',
  'globalThis',
  'document',
  'location',
  'navigator',
  'screen',
  'history',
  'console',
  'Image',
  'XMLHttpRequest',
  'WebSocket',
  'FormData',
  'URLSearchParams',
  'fetch',
  'atob',
  'btoa',
  'escape',
  'unescape',
  'encodeURIComponent',
  'decodeURIComponent',
  'eval',
  'Function',
  'setTimeout',
  'setInterval',
  'JSON',
  'String',
  'Date',
  'Math',
  'Array',
  'Object',
  'Number',
  'RegExp',
  'localStorage',
  'sessionStorage',
  'jQuery',
  '$',
  'arguments',
  'undefined',
  'Promise',
  'Blob',
  'URL',
  'MutationObserver',
  'Error',
  'parseInt',
  'Boolean',
])

/** Every declared variable, function and parameter, renamed consistently through the file. */
export function renameDeclared(source: string, fresh: string[]): string {
  const ast = parseStrict(source)
  if (!ast) throw new Error('sample does not parse')
  const declared = new Set<string>()
  const declare = (p: AnyNode | null | undefined): void => {
    if (p?.type === 'Identifier') declared.add(p.name)
    else if (p?.type === 'AssignmentPattern') declare(p.left as AnyNode)
    else if (p?.type === 'RestElement') declare(p.argument as AnyNode)
    else if (p?.type === 'ArrayPattern') for (const e of p.elements) declare(e as AnyNode)
    else if (p?.type === 'ObjectPattern')
      for (const q of p.properties) declare((q.type === 'Property' ? q.value : q) as AnyNode)
  }
  walkFull(ast, (n) => {
    if (n.type === 'VariableDeclarator') declare(n.id as AnyNode)
    else if (n.type === 'CatchClause') declare(n.param as AnyNode)
    else if (
      n.type === 'FunctionDeclaration' ||
      n.type === 'FunctionExpression' ||
      n.type === 'ArrowFunctionExpression'
    ) {
      declare(n.id as AnyNode)
      for (const p of n.params) declare(p as AnyNode)
    }
  })
  const names = [...declared].filter((n) => !GLOBALS.has(n))
  const rename = new Map(names.map((n, i) => [n, `${fresh[i % fresh.length]}_${i}`]))
  const edits = new Map<number, Edit>()
  walkFull(ast, (n) => {
    if (n.type === 'Identifier') {
      const to = rename.get(n.name)
      if (to) edits.set(n.start, { start: n.start, end: n.end, text: to })
    } else if (n.type === 'Property' && n.shorthand && n.key.type === 'Identifier') {
      // `{ a }` keeps its key: `{ a: renamed }`
      const v = n.value as AnyNode
      const id = v.type === 'AssignmentPattern' ? (v.left as AnyNode) : v
      const to = id.type === 'Identifier' ? rename.get(id.name) : undefined
      if (to) edits.set(id.start, { start: id.start, end: id.end, text: `${n.key.name}: ${to}` })
    }
  })
  return splice(source, [...edits.values()]).text
}
