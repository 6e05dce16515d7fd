/** What the caller knows about where a script came from. */
export interface AnalyzeContext {
  /** the script's own URL; null for inline and generated code */
  url?: string | null
  /** the page it ran on */
  pageUrl?: string
}
