// Plain serialisable records exchanged between stages. No classes, no handles.

export type Verdict = 'clean' | 'suspicious' | 'malicious'
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical'

/** One piece of evidence produced by a detector rule or signature. */
export interface Finding {
  rule: string
  severity: Severity
  message: string
  line: number
  column: number
  snippet?: string
  /** Points this finding adds to the script's score (0-100 scale, capped). */
  points: number
}

/** The detector's judgement of one script. */
export interface ScriptVerdict {
  sha256: string
  verdict: Verdict
  score: number
  findings: Finding[]
  rulesVersion: string
  /** why static analysis could not clear the script: it is worth running in the chamber */
  triage?: string[]
}

/** How a script reached the page. */
export type ScriptKind = 'external' | 'inline' | 'handler' | 'eval' | 'injected'

/** One script the browser compiled, as captured. */
export interface CapturedScript {
  sha256: string
  /** null for inline and generated code */
  url: string | null
  kind: ScriptKind
  source: string
  /** page URL where it was seen */
  pageUrl: string
  /** sha256 of the script that created it (eval, injected), when known */
  parentSha256?: string | null
}

export type RequestType =
  | 'image'
  | 'fetch'
  | 'xhr'
  | 'beacon'
  | 'websocket'
  | 'webtransport'
  | 'form'
  | 'script'
  | 'document'
  | 'other'

/** One request that left a page (or a WebSocket frame). */
export interface CapturedRequest {
  url: string
  method: string
  type: RequestType
  /** body or frame payload, truncated */
  body: string | null
  /** true when the request carries the test card number in a known encoding */
  carriesCard: boolean
  /** true when the request carries a personal test value (name, email, phone) */
  carriesPersonal: boolean
  /** true when the request's host is not the page's own site */
  thirdParty: boolean
  /** sha256 of the script that sent it, when known */
  script: string | null
}

export type ScanStatus = 'ok' | 'error' | 'budget'

/** Everything one page visit saw. Raw and immutable once stored. */
export interface PageCapture {
  url: string
  finalUrl: string
  status: ScanStatus
  /** human reason when status is not ok */
  reason: string | null
  startedAt: string
  durationMs: number
  /** pages visited on the way, home → checkout */
  visited: string[]
  filledCard: boolean
  scripts: CapturedScript[]
  requests: CapturedRequest[]
  /** sha256 of scripts that read a card field (attribution) */
  cardReaders: string[]
  /** shop platform recognised from the pages, when any */
  platform?: PlatformInfo | null
  /** URLs of popups the page opened (closed at once) */
  popups?: string[]
  /** URLs of downloads the page started (cancelled) */
  downloads?: string[]
  /** dialogs the page raised (dismissed), as `type: message` */
  dialogs?: string[]
  /** how the crawler walked the shop, so an analyst sees whether a skimmer had its chance */
  walk?: WalkRecord
}

/** One step of a walk: a page reached, a checkout step passed or not. */
export interface WalkStep {
  /** what the step was: home, product, add to cart, cart, checkout, checkout step N, payment */
  name: string
  url: string
  passed: boolean
  /** why the step could not be passed */
  reason?: string
  /** PNG screenshot of the page at this step (base64), kept with the capture */
  screenshot?: string
}

/** Where a visit's wall time goes, in the order a visit meets them. */
export const VISIT_PHASES = [
  'context', // browser context, page, CDP domains
  'navigate', // page loads and the clicks that open pages
  'settle page', // quiet windows on pages on the way (home, product, cart)
  'settle checkout', // quiet windows on checkout pages and card forms
  'find', // reading frames, finding links, buttons and card fields
  'screenshot', // the walk record's screenshots
  'probe', // probing platform checkout paths
  'steps', // checkout steps: filling the address, continue clicks
  'settle step', // quiet windows after a step's choices and continue clicks
  'fill', // typing the card
  'page time', // page timers run ahead on the clock
  'late fetch', // waiting for what the page's timers fetched
  'pay', // pay clicks and their quiet windows
  'after pay', // the quiet window for late senders after the last fill
  'revisit', // second pass straight to the checkout: forgetting the site
  'collect', // script sources, request list, platform
  'close', // closing the browser context
] as const
export type VisitPhase = (typeof VISIT_PHASES)[number]
export type VisitPhases = Partial<Record<VisitPhase, number>>

export interface WalkRecord {
  steps: WalkStep[]
  /** labels of the buttons the crawler clicked, in order */
  clicked: string[]
  /** how many times the card was typed and pay clicked */
  fillRounds: number
  /** page time the crawler ran the page's timers ahead, in ms */
  pageTimeMs: number
  /** wall time spent in fill rounds (typing, page time, pay clicks), in ms */
  roundsMs: number
  /** wall time spent passing checkout steps, in ms */
  stepsMs: number
  /** wall time per phase of the visit, in ms; the phases add up to the visit */
  phasesMs?: VisitPhases
  /** whether a product was put in the cart first; null when the walk never looked for one */
  addedToCart: boolean | null
  /** what ended the walk */
  stop: string
}

/** The walk without its screenshots: for the scan line and the scans row (images are kept apart). */
export function withoutScreenshots(walk: WalkRecord): WalkRecord {
  return { ...walk, steps: walk.steps.map(({ screenshot: _, ...step }) => step) }
}

export interface PlatformInfo {
  /** magento | woocommerce | shopify | prestashop | opencart | bigcommerce | … */
  name: string
  version: string | null
}

/** The page-level outcome, combining script verdicts and what the browser saw. */
export interface PageVerdict {
  verdict: Verdict
  reasons: string[]
}

/** Exit codes of the CLI. */
export const EXIT = { clean: 0, flagged: 1, error: 2 } as const

/** One request a detonated script attempted; every one was answered locally. */
export interface ObservedRequest {
  url: string
  method: string
  type: RequestType | 'css' | 'link' | 'iframe'
  body: string | null
  carriesCard: boolean
  carriesPersonal: boolean
  /** how the card or personal value was encoded in it (plain, url, base64, hex, reversed, json) */
  encodings: string[]
}

/** What one script did when run alone on a synthetic checkout (the detonation chamber). */
export interface Observation {
  sha256: string
  chamberVersion: string
  /** ok: ran to the end of its page-time budget; error/budget: see reason */
  status: 'ok' | 'error' | 'budget'
  reason: string | null
  /** the synthetic checkout URLs the script was loaded on */
  pages: string[]
  /** honeypot values the script read, and how (value, FormData, serialize, listener…) */
  reads: { field: string; how: string }[]
  /** listeners the script added on card or form fields (and document-wide key listeners) */
  listeners: { target: string; type: string }[]
  requests: ObservedRequest[]
  /** elements the script put in the DOM that load something: script, iframe, link, img, style, form */
  injected: { tag: string; url: string | null }[]
  /** code made at run time: eval, Function, setTimeout(string), injected script text */
  compiled: { how: string; source: string }[]
  /** localStorage / sessionStorage / cookie writes */
  storage: { area: string; key: string }[]
  /** anti-analysis probes: webdriver, devtools size checks, debugger timing, headless hints */
  probes: string[]
}

/** What one attempt to hand an email to the mail server came to. */
export type SendOutcome =
  | { kind: 'sent'; messageId: string; path: string | null }
  /** the server said "later" (4xx) or could not be reached: the same message is tried again */
  | { kind: 'retry'; error: string }
  /** refused for good (5xx): the recipients are suppressed */
  | { kind: 'bounced'; error: string }
