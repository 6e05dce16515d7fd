import type { AnyNode } from 'acorn'
import type { FoldValue } from './fold.ts'

// The string and array methods the folder evaluates on constants; pure, no sample code runs.

/**
 * `window.atob`, `self['unescape']`, `this['atob']`: a global function read off the global
 * object (`this` at the top of a script is the global object; elsewhere an object's own method
 * of that name decodes the same way).
 */
export function isGlobalObject(node: AnyNode): boolean {
  if (node.type !== 'MemberExpression') return false
  const o = node.object as AnyNode
  return (
    o.type === 'ThisExpression' ||
    (o.type === 'Identifier' && ['window', 'self', 'globalThis', 'top', 'parent'].includes(o.name))
  )
}

/** A string or array method over constant values, as the engine would compute it. */
export function stringMethod(
  name: string,
  obj: FoldValue,
  argv: (FoldValue | undefined)[],
): FoldValue | undefined {
  const [a, b] = argv
  if (Array.isArray(obj)) {
    if (name === 'join') {
      if (obj.some((x) => Array.isArray(x))) return undefined
      return obj.join(a === undefined ? ',' : typeof a === 'string' ? a : String(a))
    }
    if (name === 'reverse') return [...obj].reverse()
    if (name === 'concat') return Array.isArray(a) ? obj.concat(a) : undefined
    if (name === 'slice' && typeof a === 'number')
      return obj.slice(a, typeof b === 'number' ? b : undefined)
    return undefined
  }
  if (typeof obj !== 'string') return undefined
  switch (name) {
    case 'split':
      return typeof a === 'string' ? obj.split(a) : undefined
    case 'concat':
      return argv.every((x) => typeof x === 'string' || typeof x === 'number')
        ? obj + argv.join('')
        : undefined
    case 'replace':
    case 'replaceAll':
      return typeof a === 'string' && typeof b === 'string'
        ? name === 'replace'
          ? obj.replace(a, () => b)
          : obj.split(a).join(b)
        : undefined
    case 'toLowerCase':
      return obj.toLowerCase()
    case 'toUpperCase':
      return obj.toUpperCase()
    case 'trim':
      return obj.trim()
    case 'charAt':
      return typeof a === 'number' ? obj.charAt(a) : undefined
    case 'slice':
    case 'substring':
      return typeof a === 'number' ? obj[name](a, typeof b === 'number' ? b : undefined) : undefined
    case 'substr':
      return typeof a === 'number'
        ? obj.substr(a, typeof b === 'number' ? b : undefined)
        : undefined
    case 'toString':
      return obj
    default:
      return undefined
  }
}
