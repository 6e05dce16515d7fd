import type { AnyNode, Node } from 'acorn'
import { eachChild } from '../children.ts'
import { CODE_RUNNERS } from './machine.ts'
import { Env, NativeV, UNKNOWN, type FnNode, type FnV, type Val } from './values.ts'

// Which argument of a call is run as code: the code of `Function(…, code)` and `eval(code)`,
// and the parameter a sample's own wrapper hands to one of them
// (`run = function (x) { return [].filter.constructor(x)() }`).

const RUNNERS: ReadonlySet<string> = new Set(CODE_RUNNERS)
/** wrappers are small: a larger function is not searched for the runner it calls */
const MAX_VISITS = 400

/** Index of the argument a built-in code runner runs, or -1. */
export function nativeCodeArgument(fn: NativeV, argc: number): number {
  if (!RUNNERS.has(fn.name)) return -1
  return fn.name === 'Function' ? argc - 1 : 0
}

/**
 * The parameter of a sample function that it passes straight to a code runner, or -1.
 * `valueIn` evaluates a callee in the function's own scope (its parameters unknown); `memo`
 * holds the answers of one pass, by function.
 */
export function codeParameter(
  fn: FnV,
  valueIn: (node: Node, env: Env) => Val,
  memo: Map<Node, number>,
): number {
  const known = memo.get(fn.node)
  if (known !== undefined) return known
  const node = fn.node as AnyNode & FnNode
  const params = (node.params as AnyNode[]).map((p) => (p.type === 'Identifier' ? p.name : ''))
  const env = new Env(fn.env, true, fn.node)
  for (const p of params) if (p) env.declare(p, 'param', UNKNOWN)
  let found = -1
  let visits = 0
  const visit = (n: AnyNode): void => {
    if (found >= 0 || visits++ > MAX_VISITS) return
    if (n !== node && /Function/.test(n.type)) return
    if (n.type === 'CallExpression' && n.arguments.length > 0) {
      const callee = n.callee as AnyNode
      const runner =
        callee.type === 'Identifier' || callee.type === 'MemberExpression'
          ? valueIn(callee, env)
          : UNKNOWN
      const k = runner instanceof NativeV ? nativeCodeArgument(runner, n.arguments.length) : -1
      const arg = n.arguments[k] as AnyNode | undefined
      if (arg?.type === 'Identifier') found = params.indexOf(arg.name)
    }
    eachChild(n, visit)
  }
  if (params.some((p) => p !== '')) visit(node.body as AnyNode)
  memo.set(fn.node, found)
  return found
}
