import type { AnyNode, Node } from 'acorn'
import type { CallFact, ScriptFacts } from './facts.ts'
import type { Counts } from './collect-parts.ts'
import type { Scopes } from './scope.ts'
import { calleeOf } from './aliases.ts'
import { localFunction } from './flows.ts'
import { propertyName, type Folder } from './deobfuscate/fold.ts'
import {
  ARRAY_METHODS,
  FUNCTION_METHODS,
  GLOBAL_FUNCTIONS,
  OBJECT_METHODS,
  STATIC_METHODS,
  STRING_METHODS,
} from './deobfuscate/prototypes.ts'

// Every function's `.constructor` is `Function`: `[]['filter']['constructor'](code)`,
// `(() => {}).constructor(code)`, `''.sub.constructor(code)` compile and run `code` exactly
// like `Function(code)`. Such calls are recorded as calls of `Function`, so every reader of
// code runners (rules, decoded layers, triage) sees them. Reading `.constructor` is not
// enough: only a call of it made on a value that is surely a function counts.

const MAX_DEPTH = 8

/** A member's property name, folded when it is computed: `x['constr' + 'uctor']`. */
function memberName(m: AnyNode & { type: 'MemberExpression' }, folder: Folder): string | undefined {
  return propertyName(m) ?? (m.computed ? folder.foldString(m.property) : undefined)
}

/** Whether an expression's value is surely a function (so its `.constructor` is Function). */
function isFunctionValue(node: Node, folder: Folder, scopes: Scopes, depth = 0): boolean {
  const n = node as AnyNode
  if (depth > MAX_DEPTH) return false
  switch (n.type) {
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassExpression':
      return true
    case 'ParenthesizedExpression':
      return isFunctionValue(n.expression, folder, scopes, depth + 1)
    case 'Identifier': {
      const b = scopes.resolve(n)
      if (!b) return GLOBAL_FUNCTIONS.has(n.name)
      if (localFunction(b)) return true
      return !b.mutated && !b.reassigned && b.init !== undefined && b.init !== n
        ? isFunctionValue(b.init, folder, scopes, depth + 1)
        : false
    }
    case 'MemberExpression': {
      if (n.object.type === 'Super') return false
      const name = memberName(n, folder)
      if (name === undefined) return false
      // any constructor is a function, and so is what every object inherits
      if (name === 'constructor' || OBJECT_METHODS.has(name)) return true
      return methodOf(n.object as AnyNode, name, folder, scopes, depth)
    }
    default:
      return false
  }
}

/** `name` is a built-in method of what `obj` is: an array, a string, a function, `String`. */
function methodOf(obj: AnyNode, name: string, folder: Folder, scopes: Scopes, depth: number) {
  if (obj.type === 'Identifier' && !scopes.resolve(obj) && STATIC_METHODS.get(obj.name)?.has(name))
    return true
  const v = obj.type === 'ArrayExpression' ? [] : folder.fold(obj)
  if (Array.isArray(v)) return ARRAY_METHODS.has(name)
  if (typeof v === 'string') return STRING_METHODS.has(name)
  return FUNCTION_METHODS.has(name) && isFunctionValue(obj, folder, scopes, depth + 1)
}

/**
 * `Object.getPrototypeOf(<function>)` (or `Reflect.getPrototypeOf`, `<function>.__proto__`):
 * `Function.prototype`, or for an async or generator function the prototype whose
 * `.constructor` is `AsyncFunction` or `GeneratorFunction`, which compile code as `Function` does.
 */
function prototypeOfFunction(node: AnyNode, folder: Folder, scopes: Scopes): boolean {
  if (node.type === 'MemberExpression')
    return (
      node.object.type !== 'Super' &&
      memberName(node, folder) === '__proto__' &&
      isFunctionValue(node.object, folder, scopes)
    )
  if (node.type !== 'CallExpression' || node.arguments.length !== 1) return false
  const callee = node.callee as AnyNode
  if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return false
  const owner = callee.object.name
  if ((owner !== 'Object' && owner !== 'Reflect') || scopes.resolve(callee.object)) return false
  const arg = node.arguments[0] as AnyNode
  return (
    memberName(callee, folder) === 'getPrototypeOf' &&
    arg.type !== 'SpreadElement' &&
    isFunctionValue(arg, folder, scopes)
  )
}

/** `<function>.constructor`, read directly or through a name that holds it. */
function reachesFunction(callee: AnyNode, folder: Folder, scopes: Scopes): boolean {
  let target: AnyNode | undefined = callee
  if (callee.type === 'Identifier') {
    const b = scopes.resolve(callee)
    target = b && !b.mutated && !b.reassigned ? (b.init as AnyNode | undefined) : undefined
  }
  return (
    target?.type === 'MemberExpression' &&
    target.object.type !== 'Super' &&
    memberName(target, folder) === 'constructor' &&
    (isFunctionValue(target.object, folder, scopes) ||
      prototypeOfFunction(target.object as AnyNode, folder, scopes))
  )
}

/** Record this layer's calls of a function's `.constructor` as calls of `Function`. */
export function unaliasFunctionConstructor(
  facts: ScriptFacts,
  from: Counts,
  folder: Folder,
  scopes: Scopes,
): void {
  for (let i = from.calls; i < facts.calls.length; i++) {
    const c = facts.calls[i] as CallFact
    if (c.name === 'Function' && c.object === '') continue
    // only a call through a `constructor` name (however spelled) or a name holding one
    if (c.name !== 'constructor' && c.name !== '?' && calleeOf(c.node).type !== 'Identifier')
      continue
    if (!reachesFunction(calleeOf(c.node), folder, scopes)) continue
    Object.assign(c, { name: 'Function', object: '' })
    const code = c.args[c.args.length - 1] as AnyNode | undefined
    if (code && code.type !== 'Literal' && code.type !== 'TemplateLiteral') facts.indirectRunners++
  }
}
