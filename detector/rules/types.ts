import type { Severity } from '../../core/types.ts'
import type { AnalyzeContext } from '../context.ts'
import type { ScriptFacts, Site } from '../facts.ts'

/** One piece of evidence a rule found; points and severity default to the rule's. */
export interface Evidence {
  site: Site
  message: string
  points?: number
  severity?: Severity
}

export interface Rule {
  id: string
  severity: Severity
  description: string
  /** points the rule adds at most (its first evidence carries them unless it says otherwise) */
  points: number
  check(script: ScriptFacts, ctx: AnalyzeContext): Evidence[]
}
