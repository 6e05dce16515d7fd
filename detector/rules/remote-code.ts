import { createsScript, ownScriptText } from './dynamic-code-from-decoded.ts'
import type { Rule } from './types.ts'

// Code that is not in the file: a response or a pushed message run as script. Loaders do this
// so that the skimmer itself never sits where a scanner reads.

const RUNNERS = new Set(['eval', 'Function', 'execScript'])
// `.text` is a script element's own property; `.textContent` is mostly messages shown to people,
// unless the element is a script the file made itself
const SCRIPT_TEXT = new Set(['text'])

export const remoteCode = {
  id: 'remote-code',
  severity: 'high',
  description: 'Runs code it fetched or received over a WebSocket (eval, Function, script text)',
  points: 35,
  check(script) {
    for (const c of script.calls) {
      if (!RUNNERS.has(c.name) || (c.object !== '' && c.object !== 'window')) continue
      const arg = c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
      if (arg && !/Function|Literal/.test(arg.type) && c.layer.taint(arg).has('response'))
        return [{ site: c.site, message: `${c.name}() runs code the script received at run time` }]
    }
    const makesScript = createsScript(script)
    for (const a of script.assigns) {
      const text =
        SCRIPT_TEXT.has(a.target) || (a.target === 'textContent' && ownScriptText(script, a))
      if (makesScript && text && a.layer.taint(a.value).has('response'))
        return [{ site: a.site, message: `a new script's .${a.target} is code it received` }]
    }
    return []
  },
} satisfies Rule
