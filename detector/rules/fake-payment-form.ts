import { CARD_FIELD } from '../patterns.ts'
import type { Evidence, Rule } from './types.ts'

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
    // a form of its own that posts somewhere else is a way out, whatever else the script does
    const postsAway = (html: string | undefined): boolean =>
      html !== undefined && /\b(?:form)?action\s*=\s*["']?\s*(?:https?:)?\/\//i.test(html)
    // A form whose values this script never sends anywhere is the page's own to submit: a
    // card-input component renders one. Said, at fewer points; with any outbound channel in
    // the script (or code it loads) it is the full finding.
    const quiet =
      script.sinks.length === 0 && script.imports.length === 0 && script.keyCalls.length === 0
    const found = (site: Evidence['site'], message: string, html: string): Evidence[] => [
      quiet && !postsAway(html)
        ? {
            site,
            message: `${message}; the script sends nothing itself`,
            points: 10,
            severity: 'low',
          }
        : { site, message },
    ]
    for (const a of script.assigns) {
      if (!HTML_SINKS.has(a.target)) continue
      const html = a.layer.folder.foldString(a.value) ?? a.layer.leadingString(a.value)
      if (html !== undefined && isCardForm(html))
        return found(a.site, `writes a card form into .${a.target}`, html)
    }
    for (const c of script.calls) {
      if (!HTML_CALLS.has(c.name)) continue
      for (const x of c.args) {
        const html = c.layer.folder.foldString(x)
        if (html !== undefined && isCardForm(html))
          return found(c.site, `injects a card form with ${c.name}()`, html)
      }
    }
    return []
  },
} satisfies Rule
