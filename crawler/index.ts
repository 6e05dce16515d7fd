// The crawler's public API: it visits and captures, it never judges.
export { lookupRule, parseResolveRule, type ResolveRule } from './resolve.ts'
export type { CrawlOptions } from './options.ts'
export { assertTargetAllowed, classifyAddress } from './guard.ts'
export { launchBrowser, type BrowserSession } from './launch.ts'
export { TEST_VALUES, matchExfil } from './exfil-match.ts'
