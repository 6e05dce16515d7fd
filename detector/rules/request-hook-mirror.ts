import { hostOf } from '../paths.ts'
import type { Evidence, Rule } from './types.ts'

// A script that puts itself in place of XMLHttpRequest or fetch sees every request the checkout
// makes, payment API calls included. Monitoring tools wrap them too, but report timings and
// URLs to their own service; copying the requests' bodies to another host is skimming.

export const requestHookMirror = {
  id: 'request-hook-mirror',
  severity: 'high',
  description:
    "Replaces XMLHttpRequest or fetch and copies the page's own request data to another host",
  points: 60,
  check(script) {
    for (const s of script.sinks) {
      if (s.destination === 'same-origin' || s.destination === 'own-host') continue
      // beacons carry data in the body, images and injected elements in the URL
      const carried = s.url ? [...s.data, s.url] : s.data
      const carries = carried.some((d) => s.layer.taint(d).has('request'))
      if (!carries) continue
      const host = s.urlText ? hostOf(s.urlText) : undefined
      const where = host ? `to ${host}` : 'to an address built at run time'
      const ev: Evidence = {
        site: s.site,
        message: `replaces the page's network methods and copies its requests ${where} (${s.kind})`,
      }
      if (!host) ev.points = 40
      return [ev]
    }
    return []
  },
} satisfies Rule
