// The composition root's shared pieces: config, logger, a store opened once and only when needed.
import { loadConfig, type Config } from '../core/config.ts'
import { createLogger, type Logger } from '../core/logger.ts'
import type { Detector } from '../detector/index.ts'
import type { Store } from '../store/index.ts'

// The store (pg, PGlite) and the detector (acorn, YARA) are imported when first asked for:
// `analyze` never loads a database client and `report` never compiles signatures.

export interface Context {
  config: Config
  logger: Logger
  store(): Promise<Store>
  /** built-in signatures plus $SKIMWATCH_SIGNATURES, compiled once */
  detector(): Promise<Detector>
  close(): Promise<void>
}

export function createContext(overrides: Partial<Config> = {}): Context {
  const config = { ...loadConfig(), ...overrides }
  const logger = createLogger(config.logLevel)
  let store: Promise<Store> | undefined
  let detector: Promise<Detector> | undefined
  return {
    config,
    logger,
    store: () =>
      (store ??= import('../store/index.ts').then(({ openStore }) =>
        openStore({ databaseUrl: config.databaseUrl, home: config.home, schema: config.dbSchema }),
      )),
    detector: () =>
      (detector ??= import('../pipeline/signatures.ts').then(({ createPipelineDetector }) =>
        createPipelineDetector(config.signaturesDir, (m) =>
          process.stderr.write(`skimwatch: ${m}\n`),
        ),
      )),
    close: async () => {
      if (store) await (await store).close()
    },
  }
}
