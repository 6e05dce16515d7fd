import type { Taint } from '../facts.ts'
import type { Rule } from './types.ts'

const LABEL: Partial<Record<Taint, string>> = {
  b64: 'base64',
  json: 'JSON',
  formdata: 'FormData',
  harvest: 'a sweep of form fields',
  uri: 'URL-encoded values',
}

export const exfilSinkSerialisedData = {
  id: 'exfil-sink-serialised-data',
  severity: 'medium',
  description:
    'Sends serialised or encoded data (JSON, base64, FormData, form fields) through a network sink',
  points: 25,
  check(script) {
    const ordered = [...script.sinks].sort((a, b) => rank(a.destination) - rank(b.destination))
    for (const s of ordered) {
      if (s.constant) continue
      const taint = new Set<Taint>()
      for (const n of s.url ? [s.url, ...s.data] : s.data)
        for (const t of s.layer.taint(n)) taint.add(t)
      const strong = taint.has('b64') || taint.has('harvest')
      const serial =
        strong ||
        taint.has('json') ||
        taint.has('formdata') ||
        (taint.has('uri') && taint.has('value'))
      if (!serial) continue
      const home = s.destination === 'same-origin' || s.destination === 'own-host'
      const how = (['b64', 'harvest', 'json', 'formdata', 'uri'] as const)
        .filter((t) => taint.has(t))
        .map((t) => LABEL[t])
      return [
        {
          site: s.site,
          message: `${s.kind} sink carries ${how.join(' + ')} to ${s.urlText ?? 'a computed URL'}${home ? ' (own site)' : ''}`,
          // Serialised posts to the script's own site are ordinary application traffic.
          points: home ? 0 : strong ? 25 : 15,
          ...(home ? { severity: 'info' as const } : {}),
        },
      ]
    }
    return []
  },
} satisfies Rule

function rank(d: string): number {
  return d === 'same-origin' || d === 'own-host' ? 1 : 0
}
