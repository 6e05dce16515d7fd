import { CARD_FIELD } from '../patterns.ts'
import type { Rule } from './types.ts'

const HTML_SINKS = new Set(['innerHTML', 'outerHTML'])
const HTML_CALLS = new Set([
  'insertAdjacentHTML',
  'write',
  'html',
  'append',
  'prepend',
  'after',
  'before',
  'replaceWith',
])

export const fakePaymentForm = {
  id: 'fake-payment-form',
  severity: 'high',
  description: 'Injects its own card-entry form (HTML with card inputs) into the page',
  points: 35,
  check(script) {
    const isCardForm = (html: string | undefined): boolean =>
      html !== undefined && /<input/i.test(html) && CARD_FIELD.test(html)
    for (const a of script.assigns) {
      if (
        HTML_SINKS.has(a.target) &&
        isCardForm(a.layer.folder.foldString(a.value) ?? a.layer.leadingString(a.value))
      )
        return [{ site: a.site, message: `writes a card form into .${a.target}` }]
    }
    for (const c of script.calls) {
      if (!HTML_CALLS.has(c.name)) continue
      if (c.args.some((x) => isCardForm(c.layer.folder.foldString(x))))
        return [{ site: c.site, message: `injects a card form with ${c.name}()` }]
    }
    return []
  },
} satisfies Rule
