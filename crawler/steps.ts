// One step of a multi-step checkout (Magento 2 shipping → payment, Magento 1's accordion,
// WooCommerce's payment methods, "Continue" flows): fill the address with the test values, make
// the step's choices (shipping method, card payment method, region), continue, and read why not.
import type { CDPSession, Page } from 'playwright'
import type { WalkRecord, WalkStep } from '../core/types.ts'
import { findContinueButtons, type Target } from './checkout.ts'
import { TEST_VALUES } from './exfil-match.ts'
import { fillPersonal, type ScannedFrame } from './fill.ts'
import { CHOOSE_FN, INVALID_FN, VISIBLE_FN } from './fill-page.ts'
import { callIn } from './frames.ts'

// Payment-method labels that mean a card form (methods carry the brand or the word "card").
const CARD_METHOD = 'card|credit|kredit|karte|carte|tarjeta|carta|kaart|karty|kort|cartão|ccsave'
// Checking out as a guest (no account to register): OpenCart's and others' first choice.
const GUEST = 'guest|gast|invité|invite|invitado|ospite|gość|gosc|convidado|gäst'
// Terms boxes some shops check only on the server: the walk accepts them as a buyer would.
const TERMS =
  'agree|terms|conditions|cgv|conditions générales|agb|geschäftsbedingungen|términos|condizioni|voorwaarden|regulamin|termos|villkor|betingelser'
// The test address is a US one (99501 is Anchorage): a country select offers it by this code.
const COUNTRY = 'US'
const COUNTRY_NAMES =
  'United States|United States of America|USA|États-Unis|Vereinigte Staaten|Estados Unidos|Stati Uniti|Verenigde Staten|Stany Zjednoczone|USA'
const FIX_VALUES = {
  text: 'Test',
  email: TEST_VALUES.email,
  tel: TEST_VALUES.phone,
  number: '1',
  date: '2000-01-01',
}
const SHOT_QUALITY = 35

/** A JPEG of the viewport for the walk record, encoded for speed; null when it cannot be taken. */
export async function screenshot(cdp: CDPSession): Promise<string | null> {
  // CDP directly: Playwright's screenshot waits for fonts and frames the walk does not need.
  const shot = (await cdp
    .send('Page.captureScreenshot', {
      format: 'jpeg',
      quality: SHOT_QUALITY,
      optimizeForSpeed: true,
    })
    .catch(() => null)) as { data: string } | null
  return shot?.data ?? null
}

/** Records a step of the walk with a screenshot of where it stands. */
export async function record(
  page: Page,
  visit: { cdp: CDPSession; walk: WalkRecord },
  name: string,
  passed: boolean,
  reason?: string,
): Promise<void> {
  const step: WalkStep = { name, url: page.url(), passed }
  if (reason !== undefined) step.reason = reason
  const shot = await screenshot(visit.cdp)
  if (shot !== null) step.screenshot = shot
  visit.walk.steps.push(step)
}

/** Fills the step's address fields and makes its choices; returns how many it set. */
export async function fillStep(cdp: CDPSession, main: ScannedFrame): Promise<number> {
  const filled = await fillPersonal(cdp, main)
  const chose = await callIn<number>(cdp, main.world, CHOOSE_FN, {
    cardWords: CARD_METHOD,
    guestWords: GUEST,
    termsWords: TERMS,
    country: COUNTRY,
    countryNames: COUNTRY_NAMES,
  })
  return filled + (chose ?? 0)
}

/** The first continue control of the step a user sees, or null. */
export async function visibleContinue(cdp: CDPSession, main: ScannedFrame): Promise<Target | null> {
  const all = findContinueButtons(main.html)
  const shown = await callIn<string[]>(
    cdp,
    main.world,
    VISIBLE_FN,
    all.map((t) => t.selector),
  )
  return all.find((t) => shown?.includes(t.selector)) ?? null
}

interface Invalid {
  messages: string[]
  invalid: string[]
  fixed: number
}

/** Why the step did not pass, after fixing what can be fixed when `fix`; null when nothing shows. */
export async function invalidFields(
  cdp: CDPSession,
  main: ScannedFrame,
  fix: boolean,
): Promise<Invalid | null> {
  const found = await callIn<Invalid>(cdp, main.world, INVALID_FN, { fix, values: FIX_VALUES })
  if (!found || (found.messages.length === 0 && found.invalid.length === 0)) return null
  return found
}

export const describeInvalid = (i: Invalid) =>
  [
    i.messages.length > 0 ? `validation: ${i.messages.join('; ')}` : '',
    i.invalid.length > 0 ? `invalid fields: ${i.invalid.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ')
