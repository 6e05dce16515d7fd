import { withPlatformSteps } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const opencart: RemediationTemplate = {
  platform: 'opencart',
  label: 'OpenCart',
  steps: withPlatformSteps([
    'Check Extensions → Modifications (OCMOD) for modifications you did not add, remove them and press Refresh.',
    'Look for injected code in your theme templates (catalog/view/theme/…/template/common/header.twig and footer.twig) and in the payment extensions.',
    'Update OpenCart and its extensions; make sure the install/ folder is removed and the admin folder has a non-default name; check System → Users for unknown accounts.',
  ]),
}
