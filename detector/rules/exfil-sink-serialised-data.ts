import type { Sink, Taint } from '../facts.ts'
import { sinkProcessor } from '../processors.ts'
import { analyticsSinks } from '../sinks.ts'
import { carriesCard, withPairedDestinations } from './card-reads.ts'
import type { Evidence, Rule } from './types.ts'

const LABEL: Partial<Record<Taint, string>> = {
  b64: 'base64',
  json: 'JSON',
  formdata: 'FormData',
  harvest: 'a sweep of form fields',
  uri: 'URL-encoded values',
}

function judge(s: Sink): Evidence | undefined {
  // Computed script/iframe src is how loaders and JSONP work; taint reaches it too easily.
  if (s.constant || (s.kind === 'element-src' && s.destination === 'unknown')) return undefined
  const taint = new Set<Taint>()
  for (const n of s.url ? [s.url, ...s.data] : s.data)
    for (const t of s.layer.taint(n)) taint.add(t)
  const strong = taint.has('b64') || taint.has('harvest')
  const serial =
    strong || taint.has('json') || taint.has('formdata') || (taint.has('uri') && taint.has('value'))
  if (!serial) return undefined
  const paid = sinkProcessor(s)
  const home = s.destination === 'same-origin' || s.destination === 'own-host' || paid !== undefined
  const how = (['b64', 'harvest', 'json', 'formdata', 'uri'] as const)
    .filter((t) => taint.has(t))
    .map((t) => LABEL[t])
  const whose = paid ? ` (payment processor ${paid.name})` : home ? ' (own site)' : ''
  return {
    site: s.site,
    message: `${s.kind} sink carries ${how.join(' + ')} to ${s.urlText ?? (s.kind === 'analytics' ? 'the property the call names' : 'a computed URL')}${whose}`,
    // Serialised posts to the script's own site or its payment processor are ordinary traffic.
    points: home ? 0 : s.destination === 'unknown' ? (strong ? 15 : 10) : strong ? 25 : 15,
    ...(home ? { severity: 'info' as const } : {}),
  }
}

export const exfilSinkSerialisedData = {
  id: 'exfil-sink-serialised-data',
  severity: 'medium',
  description:
    'Sends serialised or encoded data (JSON, base64, FormData, form fields) through a network sink',
  points: 25,
  check(script) {
    let best: Evidence | undefined
    // an analytics call only when card values go into it (see analyticsSinks)
    const sinks = [
      ...withPairedDestinations(script.sinks),
      ...analyticsSinks(script).filter(carriesCard),
    ]
    for (const s of sinks) {
      const e = judge(s)
      if (e && (best === undefined || (e.points ?? 0) > (best.points ?? 0))) best = e
      if ((best?.points ?? 0) >= 25) break
    }
    return best ? [best] : []
  },
} satisfies Rule
