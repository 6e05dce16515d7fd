import type { AnyNode } from 'acorn'
import type { Sink, Site } from '../facts.ts'
import { ALL_INPUTS, CARD_FIELD, HARVEST_CALLS } from '../patterns.ts'
import type { Evidence, Rule } from './types.ts'

const BEACONS = new Set(['image', 'websocket', 'beacon', 'form', 'element-src'])

/** Where the script touches card fields (strong) or sweeps up every form control (generic). */
export function cardReads(script: Parameters<Rule['check']>[0]): { strong?: Site; generic?: Site } {
  const strong =
    script.strings.find((s) => s.value.length < 200 && CARD_FIELD.test(s.value))?.site ??
    script.regexes.find((r) => r.pattern.length < 200 && CARD_FIELD.test(r.pattern))?.site
  let generic: Site | undefined
  for (const c of script.calls) {
    if (!HARVEST_CALLS.has(c.name) || !c.args[0]) continue
    const sel = c.layer.folder.foldString(c.args[0])
    if (sel !== undefined && ALL_INPUTS.test(sel)) {
      generic = c.site
      break
    }
  }
  generic ??= script.members.find((m) => m.name === 'forms' && m.object === 'document')?.site
  return { ...(strong ? { strong } : {}), ...(generic ? { generic } : {}) }
}

function carriesForm(s: Sink): boolean {
  const nodes = s.url ? [s.url, ...s.data] : s.data
  return nodes.some((n) => {
    const t = s.layer.taint(n)
    return t.has('value') || t.has('harvest') || t.has('formdata') || t.has('card')
  })
}

export const cardFieldReadAndSend = {
  id: 'card-field-read-and-send',
  severity: 'critical',
  description:
    'Reads payment-card or checkout fields and sends data off the page in the same script',
  points: 60,
  check(script) {
    const reads = cardReads(script)
    const sinks = script.sinks.filter((s) => !s.constant)
    if (sinks.length === 0) return []
    const read = reads.strong ?? (sinks.some(carriesForm) ? reads.generic : undefined)
    if (!read) return []
    const what = reads.strong ? 'card fields' : 'every form field'
    if (masksValues(script)) {
      return [
        {
          site: read,
          message: `names ${what} but masks field values before sending (session-replay style)`,
          points: 10,
          severity: 'low',
        },
      ]
    }
    const offsite = sinks.filter(
      (s) => s.destination !== 'same-origin' && s.destination !== 'own-host',
    )
    if (offsite.length === 0) {
      const first = sinks[0] as Sink
      return [
        {
          site: read,
          message: `reads ${what} and sends to its own site (${first.kind})`,
          points: 10,
          severity: 'low',
        },
      ]
    }
    const covert = offsite.find((s) => BEACONS.has(s.kind) || carriesEncoded(s))
    const sink = covert ?? (offsite[0] as Sink)
    const points = covert ? 60 : reads.strong ? 45 : 40
    const ev: Evidence[] = [
      {
        site: read,
        message: `reads ${what} and sends them out via ${sink.kind}`,
        points,
        severity: covert ? 'critical' : 'high',
      },
      {
        site: sink.site,
        message: `outbound ${sink.kind} to ${sink.urlText ?? 'a computed URL'}`,
        points: 0,
      },
    ]
    return ev
  },
} satisfies Rule

function carriesEncoded(s: Sink): boolean {
  const nodes = s.url ? [s.url, ...s.data] : s.data
  return nodes.some((n) => s.layer.taint(n).has('b64'))
}

const MASK = /^[*•x#]+$/i

/** Masking (value.replace(/./g, '*'), '*'.repeat(n)) is what replay tools do to card fields. */
export function masksValues(script: Parameters<Rule['check']>[0]): boolean {
  return script.calls.some((c) => {
    const callee = (c.node as AnyNode & { type: 'CallExpression' }).callee as AnyNode
    if (c.name === 'replace' || c.name === 'replaceAll') {
      const rep = c.args[1] ? c.layer.folder.foldString(c.args[1]) : undefined
      return rep !== undefined && MASK.test(rep)
    }
    if (
      c.name === 'repeat' &&
      callee.type === 'MemberExpression' &&
      callee.object.type !== 'Super'
    ) {
      const base = c.layer.folder.foldString(callee.object)
      return base !== undefined && MASK.test(base)
    }
    return false
  })
}
