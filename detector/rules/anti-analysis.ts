import type { AnyNode, Node } from 'acorn'
import { isFunction } from '../aliases.ts'
import { returnsOf } from '../flows.ts'
import type { Evidence, Rule } from './types.ts'

const HEADLESS = new Set(['webdriver', '_phantom', 'callPhantom', '__nightmare', 'domAutomation'])
/** A replaced browser method whose toString a script fakes to pass for the original. */
const NATIVE_LOOKING =
  /(^|\.)(open|send|fetch|sendBeacon|submit|setRequestHeader|addEventListener)$/
const CONSOLE_METHODS = /^(log|warn|error|info|debug|table|clear|trace)$/

/** A returned string spelled out with `[native code]` in it, as a native function prints. */
function claimsNative(n: Node): boolean {
  const x = n as AnyNode
  if (x.type === 'Literal') return typeof x.value === 'string' && x.value.includes('[native code]')
  if (x.type === 'TemplateLiteral')
    return x.quasis.some((q) => q.value.raw.includes('[native code]'))
  return x.type === 'BinaryExpression' && (claimsNative(x.left) || claimsNative(x.right))
}

export const antiAnalysis = {
  id: 'anti-analysis',
  severity: 'medium',
  description:
    'Hides from analysts: headless-browser checks, devtools size checks, debugger traps, console clobbering',
  points: 25,
  check(script) {
    const ev: Evidence[] = []
    const headless = script.members.find((m) => HEADLESS.has(m.name))
    if (headless)
      ev.push({
        site: headless.site,
        message: `checks ${headless.object}.${headless.name} to spot automated browsers`,
        points: 10,
        severity: 'low',
      })
    const size = script.sizeChecks[0]
    if (size)
      ev.push({
        site: size,
        message: 'compares outer and inner window size to spot open devtools',
        points: 15,
      })
    const trap =
      script.debuggerTraps[0] ??
      script.strings.find((s) => /^\s*debugger\s*;?\s*$/.test(s.value))?.site
    if (trap)
      ev.push({
        site: trap,
        message: '`debugger` in a loop or timer stalls anyone inspecting the page',
        points: 15,
      })
    // a console given only to a page that has none is a stand-in, not a cover
    const standIn = (a: (typeof script.assigns)[number]): boolean =>
      script.consoleFallbacks.some(
        (f) => f.layer === a.layer && f.node.start <= a.node.start && a.node.end <= f.node.end,
      )
    const clobber = script.assigns.find(
      (a) =>
        ((a.object === 'console' && CONSOLE_METHODS.test(a.target)) ||
          (a.target === 'console' && a.object !== 'this')) &&
        !standIn(a),
    )
    if (clobber)
      ev.push({
        site: clobber.site,
        message: 'overwrites console methods to hide its traces',
        points: 10,
        severity: 'low',
      })
    const disguise = script.assigns.find(
      (a) =>
        a.target === 'toString' &&
        isFunction(a.value as AnyNode) &&
        NATIVE_LOOKING.test(a.object) &&
        returnsOf(a.value).some(claimsNative),
    )
    if (disguise)
      ev.push({
        site: disguise.site,
        message: 'makes a replaced function claim to be native code when inspected',
        points: 15,
      })
    return ev
  },
} satisfies Rule
