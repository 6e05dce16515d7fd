import type { Node } from 'acorn'
import type { Layer, ScriptFacts, Sink, Site } from '../facts.ts'
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

/**
 * `$('#order_comments').val(note)`, `hidden.value = ref` with card values base64-encoded in what
 * is written: no code of a checkout encodes a card into a field; it travels with the order itself.
 */
function smuggled(script: ScriptFacts): { site: Site } | undefined {
  const encodedCard = (n: Node, layer: Layer): boolean => {
    const t = layer.taint(n)
    return t.has('b64') && t.has('card')
  }
  const set = script.calls.find(
    (c) =>
      c.name === 'val' &&
      c.object !== '' &&
      c.args.length === 1 &&
      encodedCard(c.args[0] as Node, c.layer),
  )
  if (set) return set
  return script.assigns.find(
    (a) => a.target === 'value' && a.object !== '' && a.value && encodedCard(a.value, a.layer),
  )
}

export const cardStashOnSite = {
  id: 'card-stash-on-site',
  severity: 'high',
  description:
    "Sends card field values base64-encoded to the shop's own server, or writes them so into a form field the shop posts",
  points: 35,
  check(script) {
    const read = cardReads(script).strong
    if (!read) return []
    const stash = script.sinks.find((s) => s.destination === 'same-origin' && encodesValues(s))
    if (!stash) {
      const note = smuggled(script)
      return note
        ? [
            {
              site: note.site,
              message:
                "writes card fields' values, base64-encoded, into a form field: the shop's own order form carries them to its server",
            },
          ]
        : []
    }
    return [
      {
        site: read,
        message: `reads card fields and sends them base64-encoded to the shop's own server (${stash.kind} to ${stash.urlText ?? 'a computed URL'})`,
      },
    ]
  },
} satisfies Rule
