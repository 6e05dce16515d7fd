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
  translations: {
    de: {
      label: 'OpenCart',
      steps: withPlatformSteps(
        [
          'Prüfen Sie Erweiterungen → Modifikationen (OCMOD) auf Modifikationen, die Sie nicht hinzugefügt haben, entfernen Sie sie und klicken Sie auf Aktualisieren.',
          'Suchen Sie eingeschleusten Code in den Theme-Vorlagen (catalog/view/theme/…/template/common/header.twig und footer.twig) und in den Zahlungserweiterungen.',
          'Aktualisieren Sie OpenCart und seine Erweiterungen; stellen Sie sicher, dass der Ordner install/ entfernt ist und der Admin-Ordner keinen Standardnamen trägt; prüfen Sie System → Benutzer auf unbekannte Konten.',
        ],
        'de',
      ),
    },
  },
}
