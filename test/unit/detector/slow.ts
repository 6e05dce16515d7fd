/**
 * Timeout for detector tests that parse real bundles or many dressed samples: generous enough
 * for a loaded 2-core machine (posthog alone takes ~2 s idle), still a bound on a hang.
 */
export const LOADED_MACHINE = { timeout: 60_000 } as const
