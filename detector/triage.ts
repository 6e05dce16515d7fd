import type { ScriptVerdict } from '../core/types.ts'
import type { ScriptFacts } from './facts.ts'

// Which scripts static analysis cannot clear, and why: they are worth one run in the
// detonation chamber. A skimmer must touch form data or fetch code that does; scripts that
// do neither, and carry no evidence, are plainly inert and never detonated.

const CODE_RUNNERS = new Set(['eval', 'Function', 'execScript'])
const TIMERS = new Set(['setTimeout', 'setInterval'])
const FIELD_QUERIES = new Set([
  'querySelector',
  'querySelectorAll',
  'getElementById',
  'getElementsByName',
  'getElementsByTagName',
  'getElementsByClassName',
])
const FORM_WORDS =
  /card|cc[-_]|cc\b|cvv|cvc|cvn|expir|billing|checkout|payment|kreditkarte|tarjeta|carte/i
/** Words only card-handling code spells out: field names and patterns for number, CVV, expiry. */
const CARD_WORDS =
  /cvv|cvc|cvn|cc[-_. ]?(num|exp|cid|cvv)|card[-_. ]?(num|number|no\b|holder|expir|code|cvv)|security[-_ ]?code|kartennummer|pr(ü|ue)fnummer|num(e|é)ro[-_ ]?(de[-_ ])?carte|tarjeta|cryptogramme/i
const SENDERS = new Set([
  'fetch',
  'sendBeacon',
  'open',
  'send',
  'ajax',
  'post',
  'WebSocket',
  'Image',
  'postMessage',
  'createElement',
  'setAttribute',
])
const SERIALIZERS = new Set(['serialize', 'serializeArray', 'FormData'])
const PAYLOAD_READS = new Set(['getImageData', 'arrayBuffer', 'DataView', 'readAsText', 'blob'])
const CARD_RULES = new Set([
  'card-field-read-and-send',
  'keylogger-on-inputs',
  'fake-payment-form',
  'exfil-to-raw-ip',
  'exfil-to-free-host',
  'image-stego-loader',
])

type Node = { type?: string; value?: unknown } | undefined

const literal = (n: unknown): string | undefined => {
  const x = n as Node
  return x?.type === 'Literal' && typeof x.value === 'string' ? x.value : undefined
}

function builtAtRunTime(arg: unknown): boolean {
  const t = (arg as Node)?.type
  return (
    t !== undefined &&
    t !== 'Literal' &&
    t !== 'FunctionExpression' &&
    t !== 'ArrowFunctionExpression'
  )
}

export function triage(facts: ScriptFacts, v: ScriptVerdict): string[] {
  const out: string[] = []
  if (v.verdict === 'suspicious') out.push('suspicious statically')
  else if (v.verdict === 'clean' && v.findings.some((f) => f.points > 0 && CARD_RULES.has(f.rule)))
    out.push('card or exfiltration evidence below the threshold')
  let formData = false
  let runsCode = false
  let readsPayload = false
  let socket = false
  let creates = false
  for (const c of facts.calls) {
    const first = literal(c.args[0])
    if (FIELD_QUERIES.has(c.name) && first !== undefined && FORM_WORDS.test(first)) formData = true
    if (SERIALIZERS.has(c.name)) formData = true
    if (CODE_RUNNERS.has(c.name) && (c.object === '' || c.object === 'window')) {
      const arg = c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
      if (builtAtRunTime(arg)) runsCode = true
    }
    if (
      TIMERS.has(c.name) &&
      builtAtRunTime(c.args[0]) &&
      (c.args[0] as Node)?.type !== 'Identifier'
    )
      runsCode = true
    if (PAYLOAD_READS.has(c.name)) readsPayload = true
    if (c.name === 'WebSocket' && c.isNew) socket = true
    if (c.name === 'createElement') creates = true
  }
  const decoded = facts.strings.some((s) => s.decoded.length > 0)
  if (runsCode && (readsPayload || socket || decoded))
    out.push('runs code it decodes or receives at run time')
  const namesCard =
    facts.strings.some((x) => CARD_WORDS.test(x.value.slice(0, 2000))) ||
    facts.regexes.some((r) => CARD_WORDS.test(r.pattern))
  if (namesCard && facts.calls.some((c) => SENDERS.has(c.name)))
    out.push('names card fields and can send or load something')
  if (formData && socket) out.push('reads form fields and opens a WebSocket')
  else if (formData && (facts.sinks.length > 0 || creates))
    out.push('reads form fields and sends or loads something')
  for (const a of facts.assigns) {
    const hooksXhr = /prototype$/.test(a.object) && (a.target === 'send' || a.target === 'open')
    if (hooksXhr || (a.target === 'submit' && /prototype$/.test(a.object))) {
      out.push('replaces a network or form method')
      break
    }
  }
  return out
}
