import type { AnyNode, Node } from 'acorn'
import type { Rule } from './types.ts'

const EVALS = new Set([
  'eval',
  'Function',
  'setTimeout',
  'setInterval',
  'execScript',
  'write',
  'writeln',
])
const DECODERS = new Set(['atob', 'unescape', 'decodeURIComponent', 'decodeURI', 'fromCharCode'])
const CODE_PROPS = new Set(['text', 'textContent', 'innerHTML', 'innerText', 'outerHTML'])

export const dynamicCodeFromDecoded = {
  id: 'dynamic-code-from-decoded',
  severity: 'high',
  description: 'Runs code (eval, Function, timers, script text) built from decoded strings',
  points: 35,
  check(script) {
    const decodes =
      script.strings.some((s) => s.decoded.length > 0) ||
      script.calls.some((c) => DECODERS.has(c.name))
    if (!decodes) return []
    for (const c of script.calls) {
      if (!EVALS.has(c.name)) continue
      if ((c.name === 'write' || c.name === 'writeln') && c.object !== 'document') continue
      const arg = c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
      if (!arg || /Function/.test(arg.type)) continue
      if (c.layer.taint(arg).has('decoded') || isPacked(arg))
        return [{ site: c.site, message: `${c.name}() runs a decoded string` }]
    }
    for (const a of script.assigns) {
      if (!CODE_PROPS.has(a.target) || !a.layer.taint(a.value).has('decoded')) continue
      return [{ site: a.site, message: `.${a.target} is set from a decoded string` }]
    }
    for (const s of script.sinks) {
      if (s.kind === 'element-src' && s.url && s.layer.taint(s.url).has('decoded'))
        return [{ site: s.site, message: 'loads a script from a decoded URL' }]
    }
    return []
  },
} satisfies Rule

// eval(function(p,a,c,k,e,d){…}(…)): the packer's unpacking call is the argument itself.
function isPacked(arg: Node): boolean {
  const n = arg as AnyNode
  return (
    n.type === 'CallExpression' &&
    n.callee.type === 'FunctionExpression' &&
    n.callee.params.length >= 4
  )
}
