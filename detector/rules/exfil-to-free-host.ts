import { hostOf } from '../paths.ts'
import { freeHost } from './free-hosts.ts'
import type { Rule } from './types.ts'

export const exfilToFreeHost = {
  id: 'exfil-to-free-host',
  severity: 'medium',
  description:
    'Sends data to a free hosting, tunnel, paste or request-capture service (ngrok, workers.dev, Telegram bots…)',
  points: 30,
  check(script) {
    // Plain loads of a constant URL are common (demos, widgets); only data-carrying sends count.
    for (const s of script.sinks) {
      const host = s.urlText ? hostOf(s.urlText) : undefined
      const what = host ? freeHost(host) : undefined
      // An xhr.open / form action URL is constant even though send() or submit() carries data.
      const sends =
        !s.constant ||
        s.kind === 'xhr' ||
        s.kind === 'form' ||
        s.kind === 'websocket' ||
        s.kind === 'webtransport'
      if (what && sends && s.destination !== 'same-origin' && s.destination !== 'own-host')
        return [{ site: s.site, message: `${s.kind} sends data to ${host} (${what})` }]
    }
    return []
  },
} satisfies Rule
