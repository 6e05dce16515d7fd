import type { Sink } from '../facts.ts'
import { sinkProcessor } from '../processors.ts'
import { analyticsSinks } from '../sinks.ts'
import {
  cardReads,
  carriesCard,
  carriesEncoded,
  carriesForm,
  carriesSweep,
  computedSend,
  keepAlive,
  maskingExplains,
  noCors,
  withPairedDestinations,
} from './card-reads.ts'
import type { Evidence, Rule } from './types.ts'

export { cardReads, maskingExplains } from './card-reads.ts'

/** Requests whose answer the page cannot read. */
const UNANSWERED = new Set(['image', 'beacon'])
const unanswered = (s: Sink): boolean => UNANSWERED.has(s.kind) || noCors(s) || keepAlive(s)

const BEACONS = new Set([
  'image',
  'websocket',
  'webtransport',
  'beacon',
  'form',
  'element-src',
  'eventsource',
  'webrtc',
])

export const cardFieldReadAndSend = {
  id: 'card-field-read-and-send',
  severity: 'critical',
  description:
    'Reads payment-card or checkout fields and sends data off the page in the same script',
  points: 60,
  check(script) {
    // A form's action is a constant URL, yet submit() carries every field in it.
    const sinks = [
      ...withPairedDestinations(script.sinks).filter((s) => !s.constant || s.kind === 'form'),
      ...analyticsSinks(script).filter(carriesCard),
    ]
    const reads = withCardMembers(cardReads(script), sinks)
    if (sinks.length === 0 || (!reads.strong && !reads.generic)) return []
    const what =
      reads.strong === undefined
        ? 'every form field'
        : reads.strong === script.luhn[0]
          ? 'values it checks as card numbers (Luhn checksum or length)'
          : 'card fields'
    const read = reads.strong ?? reads.generic
    if (!read) return []
    if (maskingExplains(script))
      return [
        {
          site: read,
          message: `names ${what} but masks field values before sending (session-replay style)`,
          points: 0,
          severity: 'info',
        },
      ]
    // A known foreign host takes card reads as they are; a computed URL or a plain sweep of
    // every field needs the values themselves to flow into the request. A payment processor's
    // own origin (its card frame, its tokeniser) is where card data belongs.
    // A script's own host (an SDK tokenizing with its vendor's API) is not foreign: a vendor the
    // processor list does not know may still be one; lookalike hosts are judged by their own rule.
    // Unless it sends where no answer can be read (an image, a beacon, a no-cors fetch): a
    // tokenizer needs the token back, a skimmer posting to the host it is served from does not.
    const foreign = (s: Sink): boolean =>
      s.destination === 'external' || (s.destination === 'own-host' && unanswered(s))
    const tokenizer = tokenRoundTrip(sinks)
    // a script that checks field values as card numbers (Luhn, length) knows which is the card:
    // the values it sends to a computed address, a script's src too, carry it
    const checked = (s: Sink): boolean =>
      script.luhn.length > 0 && s.destination === 'unknown' && carriesForm(s)
    const offsite = sinks.filter(
      (s) =>
        sinkProcessor(s) === undefined &&
        !tokenizer(s) &&
        ((foreign(s) && (reads.strong !== undefined || carriesForm(s))) ||
          (reads.strong !== undefined && (computedSend(s) || checked(s)))),
    )
    if (offsite.length === 0) {
      const paid = sinks.find((s) => sinkProcessor(s) !== undefined)
      if (paid)
        return [
          {
            site: read,
            message: `reads ${what} and sends to the payment processor ${sinkProcessor(paid)?.name ?? ''} (${paid.kind} to ${paid.urlText ?? ''})`,
            points: 0,
            severity: 'info',
          },
        ]
      const tokens = sinks.find(tokenizer)
      if (tokens)
        return [
          {
            site: read,
            message: `reads ${what} and sends to ${tokens.urlText ?? 'a computed URL'}, whose answer it posts to its own site (a tokenizer's round trip; the host is no listed processor)`,
            points: 10,
            severity: 'low',
          },
        ]
      const home = sinks.find(homeward)
      return home
        ? [
            {
              site: read,
              message: `reads ${what} and sends to its own site (${home.kind})`,
              points: 10,
              severity: 'low',
            },
          ]
        : []
    }
    const known = offsite.filter(foreign)
    const pool = known.length > 0 ? known : offsite
    const covert = pool.find((s) => BEACONS.has(s.kind) || carriesEncoded(s) || noCors(s))
    // The typed values themselves flowing to a foreign host that is no processor is what the
    // browser would call card data leaving the site, however plainly it is sent.
    const carried = reads.strong !== undefined ? known.find(carriesForm) : undefined
    const sink = covert ?? carried ?? (pool[0] as Sink)
    // Every field on the page posted to a foreign host is what a skimmer does; widgets read
    // the fields they need or their own form. A computed destination could be the processor's
    // own API: strong, but not conclusive alone.
    const sweep = !reads.strong && reads.wide !== undefined && known.some(carriesSweep)
    const points = sendPoints(known.length > 0, covert !== undefined || carried !== undefined, {
      strong: reads.strong !== undefined,
      sweep,
    })
    const ev: Evidence[] = [
      {
        site: read,
        message: `reads ${what} and sends ${carried && !covert ? 'their values' : 'them'} out via ${sink.kind}`,
        points,
        severity: covert || carried ? 'critical' : 'high',
      },
      {
        site: sink.site,
        message:
          sink.kind === 'analytics'
            ? 'card values handed to an analytics call, which sends them to the property it names'
            : `outbound ${sink.kind} to ${sink.urlText ?? 'a computed URL'}`,
        points: 0,
      },
    ]
    return ev
  },
} satisfies Rule

/**
 * Card data read off the page's own objects (`payment.additional_data.cc_number`) counts as a
 * card read where it flows to a named foreign host that is no processor: a tokenizing SDK holds
 * the same names and sends them to its processor, at an address it works out at run time.
 */
function withCardMembers(reads: ReturnType<typeof cardReads>, sinks: Sink[]) {
  if (reads.strong || !reads.members) return reads
  const named = sinks.some(
    (s) =>
      s.destination === 'external' &&
      sinkProcessor(s) === undefined &&
      s.data.some((n) => s.layer.taint(n).has('card-member')),
  )
  return named ? { ...reads, strong: reads.members } : reads
}

const homeward = (s: Sink): boolean =>
  s.destination === 'same-origin' || s.destination === 'own-host'
const ANSWERED = new Set(['fetch', 'xhr', 'jquery-ajax'])

/**
 * A tokenizing integration sends the card to its processor, reads the answer (a token) and
 * posts that to the shop's own server: the send it is read from is the processor's. A skimmer
 * has no use for the answer, nor anything to tell the shop. The browser still sees where the
 * card went: a detonation or a visit judges the host for what it is.
 */
function tokenRoundTrip(sinks: Sink[]): (s: Sink) => boolean {
  let forwards: boolean | undefined
  return (s) => {
    // a named host, sent the card as it is: an encoded body hides it from the processor too
    if (s.destination !== 'external' || !ANSWERED.has(s.kind) || noCors(s) || carriesEncoded(s))
      return false
    // the shop's own pages, not the host the script came from (a skimmer's own server)
    forwards ??= sinks.some(
      (h) =>
        h.destination === 'same-origin' &&
        h.site.line >= s.site.line &&
        h.data.some((n) => h.layer.taint(n).has('response')),
    )
    return forwards
  }
}

/**
 * Points for card or form reads sent off the site: most when the destination is a known
 * foreign host and the send is covert or carries the values themselves; a computed
 * destination could be the processor's own API.
 */
function sendPoints(
  knownHost: boolean,
  covertOrCarried: boolean,
  reads: { strong: boolean; sweep: boolean },
): number {
  if (!knownHost) return covertOrCarried ? 55 : 25
  if (covertOrCarried) return 60
  if (reads.strong) return 45
  return reads.sweep ? 55 : 40
}
