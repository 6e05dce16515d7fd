import { hostOf, isIpHost } from '../paths.ts'
import type { Rule } from './types.ts'

const PRIVATE = /^(10\.|127\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.)/

export const exfilToRawIp = {
  id: 'exfil-to-raw-ip',
  severity: 'medium',
  description: 'Sends requests to a bare public IP address instead of a domain name',
  points: 20,
  check(script) {
    for (const s of script.sinks) {
      const host = s.urlText ? hostOf(s.urlText) : undefined
      if (host && isIpHost(host) && !PRIVATE.test(host))
        return [{ site: s.site, message: `${s.kind} to raw IP ${host}` }]
    }
    return []
  },
} satisfies Rule
