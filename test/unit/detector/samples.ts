export {
  loadSamples,
  rewritable,
  type Expected,
  type Sample,
} from '../../../fixtures/samples/load.ts'
