// zod/mini ships no error messages of its own: English ones, loaded once, for every schema
// that reports to a user (configuration, signature and allowlist files). Named imports keep
// the bundle to what is used (the full zod adds ~70 ms to every start of the CLI).
import { config } from 'zod/mini'
import en from 'zod/v4/locales/en.js'

config(en())
