import type { Sink } from '../facts.ts'
import { cardReads, nodesOf } from './card-reads.ts'
import type { Rule } from './types.ts'

// The shop's own checkout posts card fields as they were typed. Card values base64-encoded and
// posted to the shop's own server beside its requests are a stash for someone who can read that
// server (a rogue plugin's endpoint, a planted file): nothing leaves the site during a visit, so
// a quiet visit never clears it.

/** One thing sent is both field values and base64: the values themselves, encoded. */
function encodesValues(s: Sink): boolean {
  return nodesOf(s).some((n) => {
    const t = s.layer.taint(n)
    return t.has('b64') && (t.has('value') || t.has('card') || t.has('harvest'))
  })
}

export const cardStashOnSite = {
  id: 'card-stash-on-site',
  severity: 'high',
  description: "Sends card field values base64-encoded to the shop's own server",
  points: 35,
  check(script) {
    const read = cardReads(script).strong
    if (!read) return []
    const stash = script.sinks.find((s) => s.destination === 'same-origin' && encodesValues(s))
    if (!stash) return []
    return [
      {
        site: read,
        message: `reads card fields and sends them base64-encoded to the shop's own server (${stash.kind} to ${stash.urlText ?? 'a computed URL'})`,
      },
    ]
  },
} satisfies Rule
