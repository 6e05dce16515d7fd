import type { ScriptVerdict } from '../core/types.ts'
import type { ScriptFacts } from './facts.ts'
import { replacesNetworkMethod } from './hooks.ts'

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
/** Code built from a decoded string or a fetched response is not in the file. */
const fetched = (t: ReadonlySet<string>): boolean => t.has('decoded') || t.has('response')
const CARD_RULES = new Set([
  'card-field-read-and-send',
  'keylogger-on-inputs',
  'fake-payment-form',
  'exfil-to-raw-ip',
  'exfil-to-free-host',
  'image-stego-loader',
])

type Node = { type?: string; value?: unknown } | undefined

/** A string-table accessor called this often with distinct indexes means the table is unread. */
const ACCESSOR_CALLS = 30
const ACCESSOR_INDEXES = 12

/**
 * Obfuscation the partial evaluator could not undo: a function called again and again with
 * nothing but a constant index (and a key) whose table is decoded character by character.
 */
function unreadStringTable(facts: ScriptFacts): boolean {
  const names = new Set(facts.calls.map((c) => c.name))
  if (!names.has('fromCharCode') || !names.has('charCodeAt')) return false
  const groups = new Map<string, Set<unknown>>()
  let calls = 0
  // an unread table's entries are handed on: property names and arguments of other calls
  const handedOn = new Set([...facts.calls.flatMap((c) => c.args), ...facts.keyCalls])
  for (const c of facts.calls) {
    if (!handedOn.has(c.node)) continue
    const [first, second] = c.args as Node[]
    if (c.args.length > 2 || first?.type !== 'Literal' || typeof first.value !== 'number') continue
    if (second && (second.type !== 'Literal' || typeof second.value !== 'string')) continue
    const key = `${c.object}.${c.name}`
    const seen = groups.get(key) ?? new Set()
    seen.add(first.value)
    groups.set(key, seen)
    calls++
  }
  const indexes = [...groups.values()].reduce((n, g) => n + (g.size >= 4 ? g.size : 0), 0)
  return calls >= ACCESSOR_CALLS && indexes >= ACCESSOR_INDEXES
}

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
      if (arg && builtAtRunTime(arg) && fetched(c.layer.taint(arg))) readsPayload = true
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
  if (runsCode && (readsPayload || socket)) out.push('runs code it decodes or receives at run time')
  if (unreadStringTable(facts)) out.push('obfuscated strings static analysis could not read')
  const namesCard =
    facts.strings.some((x) => CARD_WORDS.test(x.value.slice(0, 2000))) ||
    facts.regexes.some((r) => CARD_WORDS.test(r.pattern))
  if (namesCard && facts.calls.some((c) => SENDERS.has(c.name)))
    out.push('names card fields and can send or load something')
  if (formData && socket) out.push('reads form fields and opens a WebSocket')
  else if (formData && (facts.sinks.length > 0 || creates))
    out.push('reads form fields and sends or loads something')
  for (const a of facts.assigns) {
    const submit = a.target === 'submit' && /^HTMLFormElement\.prototype$/.test(a.object)
    if (replacesNetworkMethod(a) || submit) {
      out.push('replaces a network or form method')
      break
    }
  }
  return out
}
