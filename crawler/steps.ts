// One step of a multi-step checkout (Magento 2 shipping → payment, Magento 1's accordion,
// WooCommerce's payment methods, "Continue" flows): fill the address with the test values, make
// the step's choices (shipping method, card payment method, region), continue, and read why not.
import type { CDPSession, Page } from 'playwright'
import type { WalkRecord, WalkStep } from '../core/types.ts'
import { findContinueButtons, type Target } from './checkout.ts'
import { TEST_VALUES } from './exfil-match.ts'
import { fillPersonal, type ScannedFrame } from './fill.ts'
import { CHOOSE_FN, INVALID_FN, POSTCODE_FN, VISIBLE_FN } from './fill-page.ts'
import { callIn } from './frames.ts'
import { FIELD_WORDS } from './languages.ts'
import type { PhaseClock } from './phases.ts'

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
// A real-looking postcode per country, in each one's format (the US one is the test address's).
const POSTCODES = [
  { code: 'US', names: COUNTRY_NAMES, postcode: TEST_VALUES.zip },
  {
    code: 'GB',
    names: 'United Kingdom|UK|Great Britain|Royaume-Uni|Vereinigtes Königreich',
    postcode: 'SW1A 1AA',
  },
  {
    code: 'DE',
    names: 'Germany|Deutschland|Allemagne|Alemania|Germania|Duitsland|Niemcy|Tyskland',
    postcode: '10115',
  },
  {
    code: 'FR',
    names: 'France|Frankreich|Francia|Frankrijk|Francja|Frankrike|Frankrig',
    postcode: '75001',
  },
  { code: 'BE', names: 'Belgium|Belgique|België|Belgien|Bélgica|Belgio|Belgia', postcode: '1000' },
  {
    code: 'NL',
    names: 'Netherlands|Nederland|Pays-Bas|Niederlande|Países Bajos|Paesi Bassi|Holandia',
    postcode: '1012 AB',
  },
  { code: 'AT', names: 'Austria|Österreich|Autriche', postcode: '1010' },
  { code: 'CH', names: 'Switzerland|Schweiz|Suisse|Svizzera|Suiza', postcode: '8001' },
  { code: 'IT', names: 'Italy|Italia|Italie|Italien', postcode: '00118' },
  { code: 'ES', names: 'Spain|España|Espagne|Spanien|Spagna', postcode: '28001' },
  { code: 'PT', names: 'Portugal', postcode: '1000-001' },
  { code: 'PL', names: 'Poland|Polska|Pologne|Polen', postcode: '00-950' },
  { code: 'SE', names: 'Sweden|Sverige|Suède|Schweden', postcode: '111 22' },
  { code: 'DK', names: 'Denmark|Danmark|Danemark|Dänemark', postcode: '1050' },
  { code: 'NO', names: 'Norway|Norge|Norvège|Norwegen', postcode: '0150' },
  { code: 'IE', names: 'Ireland|Irlande|Irland', postcode: 'D02 X285' },
  { code: 'CA', names: 'Canada|Kanada', postcode: 'K1A 0B1' },
  { code: 'AU', names: 'Australia|Australie|Australien', postcode: '2000' },
]
const FIX_VALUES = {
  text: 'Test',
  email: TEST_VALUES.email,
  tel: TEST_VALUES.phone,
  number: '1',
  date: '2000-01-01',
}
const SHOT_QUALITY = 35

// Half scale: a quarter of the pixels to raster, read back and encode; still readable in review.
const SHOT_SCALE = 0.5

interface LayoutMetrics {
  cssVisualViewport: { pageX: number; pageY: number; clientWidth: number; clientHeight: number }
}

/** A JPEG of the viewport for the walk record, encoded for speed; null when it cannot be taken. */
export async function screenshot(cdp: CDPSession): Promise<string | null> {
  try {
    // A clip is in document coordinates: the visual viewport's place says where the walk stands.
    const { cssVisualViewport: v } = (await cdp.send('Page.getLayoutMetrics')) as LayoutMetrics
    const clip = { x: v.pageX, y: v.pageY, width: v.clientWidth, height: v.clientHeight }
    // CDP directly: Playwright's screenshot waits for fonts and frames the walk does not need.
    const shot = (await cdp.send('Page.captureScreenshot', {
      format: 'jpeg',
      quality: SHOT_QUALITY,
      optimizeForSpeed: true,
      clip: { ...clip, scale: SHOT_SCALE },
    })) as { data: string }
    return shot.data
  } catch {
    return null
  }
}

/** Records a step of the walk with a screenshot of where it stands. */
export async function record(
  page: Page,
  visit: { cdp: CDPSession; walk: WalkRecord; clock: PhaseClock },
  name: string,
  passed: boolean,
  reason?: string,
): Promise<void> {
  const step: WalkStep = { name, url: page.url(), passed }
  if (reason !== undefined) step.reason = reason
  const shot = await visit.clock.during('screenshot', () => screenshot(visit.cdp))
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
  // the country is chosen now: the postcode follows its format
  const postcode = await callIn<number>(cdp, main.world, POSTCODE_FN, {
    zipWords: FIELD_WORDS.zip.join('|'),
    postcodes: POSTCODES,
  })
  return filled + (chose ?? 0) + (postcode ?? 0)
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
