// Types of scripts/build.mjs, for the tests that import it.
export declare const ROOT: string
/** Why `root`/dist/ must be rebuilt, or null when it is up to date. */
export declare function staleReason(root?: string): string | null
/** Bundle `root`/cli/main.ts into `root`/dist/. */
export declare function build(root?: string): Promise<void>
/** Build when dist/ is missing or stale; true when it built. */
export declare function ensureBuilt(root?: string): Promise<boolean>
