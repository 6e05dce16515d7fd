import { antiAnalysis } from './anti-analysis.ts'
import { cardFieldReadAndSend } from './card-field-read-and-send.ts'
import { checkoutRedirect } from './checkout-redirect.ts'
import { checkoutUrlGating } from './checkout-url-gating.ts'
import { cssExfil } from './css-exfil.ts'
import { cardStashOnSite } from './card-stash-on-site.ts'
import { dropInStaticFolder } from './drop-in-static-folder.ts'
import { dynamicCodeFromDecoded } from './dynamic-code-from-decoded.ts'
import { exfilSinkSerialisedData } from './exfil-sink-serialised-data.ts'
import { exfilToFreeHost } from './exfil-to-free-host.ts'
import { exfilToRawIp } from './exfil-to-raw-ip.ts'
import { fakePaymentForm } from './fake-payment-form.ts'
import { hiddenCheckoutLoader } from './hidden-checkout-loader.ts'
import { imageStegoLoader } from './image-stego-loader.ts'
import { keyloggerOnInputs } from './keylogger-on-inputs.ts'
import { knownBadSignature } from './known-bad-signature.ts'
import { lookalikeDomain } from './lookalike-domain.ts'
import { masksFieldValues } from './masks-field-values.ts'
import { onceOnlyStaging } from './once-only-staging.ts'
import { packedCode } from './packed-code.ts'
import { remoteCode } from './remote-code.ts'
import { requestHookMirror } from './request-hook-mirror.ts'
import { skimmerKitStructure } from './skimmer-kit-structure.ts'
import type { Rule } from './types.ts'

/** Every rule the detector runs, in reporting order. */
export const RULES: readonly Rule[] = [
  cardFieldReadAndSend,
  exfilSinkSerialisedData,
  cssExfil,
  requestHookMirror,
  dynamicCodeFromDecoded,
  remoteCode,
  checkoutUrlGating,
  hiddenCheckoutLoader,
  checkoutRedirect,
  dropInStaticFolder,
  cardStashOnSite,
  lookalikeDomain,
  knownBadSignature,
  antiAnalysis,
  keyloggerOnInputs,
  onceOnlyStaging,
  fakePaymentForm,
  exfilToRawIp,
  exfilToFreeHost,
  imageStegoLoader,
  skimmerKitStructure,
  packedCode,
  masksFieldValues,
]

export type { Evidence, Rule } from './types.ts'
