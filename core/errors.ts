// Named errors with messages a user can act on.

export class SkimwatchError extends Error {
  override name = 'SkimwatchError'
  /** true when retrying can never help (bad input, refused target) */
  readonly permanent: boolean = false
}

export class ConfigError extends SkimwatchError {
  override name = 'ConfigError'
  override readonly permanent = true
}

export class BlockedTargetError extends SkimwatchError {
  override name = 'BlockedTargetError'
  override readonly permanent = true
}

/** The site is on the operators' exclusion list: it is never visited. */
export class ExcludedSiteError extends SkimwatchError {
  override name = 'ExcludedSiteError'
  override readonly permanent = true
}

export class BadInputError extends SkimwatchError {
  override name = 'BadInputError'
  override readonly permanent = true
}

export class ServiceUnavailableError extends SkimwatchError {
  override name = 'ServiceUnavailableError'
}

export class BrowserUnavailableError extends SkimwatchError {
  override name = 'BrowserUnavailableError'
  override readonly permanent = true
}

export class CrawlError extends SkimwatchError {
  override name = 'CrawlError'
}

/** An input file that cannot be read (missing, a directory, no permission, too large). */
export class UnreadableInputError extends SkimwatchError {
  override name = 'UnreadableInputError'
  override readonly permanent = true
}

/** The capture store is full; not permanent: pruning or a larger quota lets the job through. */
export class QuotaExceededError extends SkimwatchError {
  override name = 'QuotaExceededError'
}
