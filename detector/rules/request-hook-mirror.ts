import { hostOf } from '../paths.ts'
import type { Evidence, Rule } from './types.ts'

// A script that puts itself in place of XMLHttpRequest or fetch sees every request the checkout
// makes, payment API calls included. Monitoring tools wrap them too, but report timings and
// URLs to their own service; copying the requests' bodies to another host is skimming. jQuery's
// request hooks (`$.ajaxPrefilter`, `ajaxSend`) see the same requests.

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
      const host = s.urlText ? hostOf(s.urlText) : undefined
      // what jQuery's hooks see goes on to jQuery's own transports at addresses built at run
      // time (JSONP, script): only a copy to a written-out address of another host is a mirror
      const carries = carried.some((d) => {
        const t = s.layer.taint(d)
        return t.has('request') || (host !== undefined && t.has('jquery-request'))
      })
      if (!carries) continue
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
