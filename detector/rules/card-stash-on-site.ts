import type { AnyNode, Node } from 'acorn'
import { eachChild } from '../children.ts'
import { propertyName } from '../deobfuscate/fold.ts'
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
 * `notes.val(notes.val() + encoded)`, `box.value += encoded`: card values base64-encoded and
 * added to what a field of the shop's form already holds (an order comment), which the order
 * then carries to the shop's records. Code that fills a field of its own (a processor's
 * encrypted-card input) replaces the value; it does not add to what the buyer wrote there.
 */
function smuggled(script: ScriptFacts): { site: Site } | undefined {
  const encodedCard = (n: Node, layer: Layer): boolean => {
    const t = layer.taint(n)
    return t.has('b64') && t.has('card')
  }
  const set = script.calls.find((c) => {
    const callee = (c.node as AnyNode & { callee?: AnyNode }).callee
    const on = callee?.type === 'MemberExpression' ? (callee.object as AnyNode) : undefined
    const value = c.args[0] as Node | undefined
    return (
      c.name === 'val' &&
      c.args.length === 1 &&
      on?.type === 'Identifier' &&
      value !== undefined &&
      encodedCard(value, c.layer) &&
      readsOwn(value, on.name, c.layer)
    )
  })
  if (set) return set
  return script.assigns.find((a) => {
    if (a.target !== 'value' || !a.value || !encodedCard(a.value, a.layer)) return false
    if (a.operator === '+=') return true
    const left =
      (a.node as AnyNode).type === 'AssignmentExpression'
        ? (a.node as AnyNode & { left: AnyNode }).left
        : undefined
    const on = left?.type === 'MemberExpression' ? (left.object as AnyNode) : undefined
    return on?.type === 'Identifier' && readsOwn(a.value, on.name, a.layer)
  })
}

/** How far through names and sub-expressions a written value is searched for the field's own value. */
const OWN_READ_NODES = 400

/** `name.val()` or `name.value` read somewhere in what `value` is made of (through names). */
function readsOwn(value: Node, name: string, layer: Layer): boolean {
  const stack: AnyNode[] = [value as AnyNode]
  const seen = new Set<Node>()
  for (let visits = 0; stack.length > 0 && visits < OWN_READ_NODES; visits++) {
    const n = stack.pop() as AnyNode
    if (seen.has(n)) continue
    seen.add(n)
    if (n.type === 'Identifier') {
      for (const v of layer.valuesOf(n)) stack.push(v as AnyNode)
      continue
    }
    const read = n.type === 'CallExpression' && n.arguments.length === 0 ? (n.callee as AnyNode) : n
    if (
      read.type === 'MemberExpression' &&
      read.object.type === 'Identifier' &&
      read.object.name === name &&
      !read.computed &&
      propertyName(read) === (read === n ? 'value' : 'val')
    )
      return true
    if (n.type !== 'FunctionExpression' && n.type !== 'ArrowFunctionExpression')
      eachChild(n, (c) => void stack.push(c))
  }
  return false
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
                "adds card fields' values, base64-encoded, to what a field of the shop's form holds: the order itself carries them to the shop's records",
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
