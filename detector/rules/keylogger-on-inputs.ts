import type { AnyNode } from 'acorn'
import { sweepsInputs, KEY_EVENTS } from '../patterns.ts'
import { sinkProcessor } from '../processors.ts'
import type { Rule } from './types.ts'
import {
  cardReads,
  computedSend,
  delegatedSelector,
  maskingExplains,
  namesCardField,
  wholePage,
  withPairedDestinations,
} from './card-reads.ts'

const LISTEN = new Set(['addEventListener', 'on', 'bind', 'attachEvent'])
const SHORTHAND = new Set(['keyup', 'keydown', 'keypress', 'change', 'blur', 'focusout', 'input'])
const HANDLER_PROPS = /^on(key(up|down|press)|input|change|blur)$/

export const keyloggerOnInputs = {
  id: 'keylogger-on-inputs',
  severity: 'medium',
  description:
    'Listens to keystrokes or changes on card or form fields and stores or sends what it hears',
  points: 20,
  check(script) {
    const reads = cardReads(script)
    const offsite = withPairedDestinations(script.sinks).some(
      (s) =>
        !s.constant &&
        sinkProcessor(s) === undefined &&
        (s.destination === 'external' || computedSend(s)),
    )
    // kept in the browser only counts for card data: saving an address draft is what autosave does
    const stores =
      script.calls.some(
        (c) => c.name === 'setItem' && c.args[1] && c.layer.taint(c.args[1]).has('card'),
      ) || script.assigns.some((a) => a.target === 'cookie' && a.layer.taint(a.value).has('card'))
    if ((!offsite && !stores) || maskingExplains(script)) return []
    for (const c of script.calls) {
      let events: string | undefined
      if (LISTEN.has(c.name) && c.args[0]) events = c.layer.folder.foldString(c.args[0])
      else if (SHORTHAND.has(c.name) && c.args.length === 1 && c.object !== '') events = c.name
      if (!events || !events.split(/\s+/).some((e) => KEY_EVENTS.test(e.replace(/^on/, ''))))
        continue
      const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
      const target =
        callee.type === 'MemberExpression' && callee.object.type !== 'Super'
          ? c.layer.taint(callee.object)
          : new Set()
      const delegated = delegatedSelector(c)
      const onCard =
        (delegated !== undefined &&
          ((sweepsInputs(delegated) && wholePage(c)) || namesCardField(delegated))) ||
        target.has('card') ||
        target.has('harvest') ||
        c.object === 'document' ||
        (reads.strong && !/^window$/.test(c.object))
      if (onCard)
        return [
          {
            site: c.site,
            message: `listens for "${events}" on ${describe(target)} and ${offsite ? 'sends' : 'stores'} the values`,
          },
        ]
    }
    for (const a of script.assigns) {
      if (!HANDLER_PROPS.test(a.target)) continue
      const t = a.layer.taint(a.value)
      if (reads.strong || t.has('card'))
        return [
          {
            site: a.site,
            message: `sets ${a.target} handlers on form fields and ${offsite ? 'sends' : 'stores'} the values`,
          },
        ]
    }
    return []
  },
} satisfies Rule

function describe(t: Set<unknown>): string {
  return t.has('card') ? 'card fields' : t.has('harvest') ? 'every form field' : 'the page'
}
